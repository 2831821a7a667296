import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep worker chatter out of test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
} catch {
  // Already installed in this process.
}

import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep worker chatter out of test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process.
}

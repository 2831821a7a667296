#!/usr/bin/env node
// The warmstart executable: process concerns only (logging runtime, signals, exit code); the CLI is run().
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { signalExitCode } from './io.js';
import { findCommand, run } from './run.js';
import type { Command } from './command.js';

// The SDK warns on every run that its 2027 releases will need Node 22; this release runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Worker and bundler chatter stays out of the CLI's output unless asked for; core (Rust) logs use the same level. */
function installRuntime(command: Command | undefined): void {
  const level = (process.env.WARMSTART_LOG_LEVEL?.toUpperCase() ?? (command?.quiet ? 'ERROR' : 'WARN')) as LogLevel;
  // shutdownSignals: [] — the CLI handles SIGINT/SIGTERM itself; the SDK's own handler swallowed the first one.
  // WARMSTART_METRICS_ADDRESS (host:port): the SDK's worker metrics on a Prometheus endpoint, for `warmstart worker`.
  const metricsAddress = command?.name === 'worker' ? process.env.WARMSTART_METRICS_ADDRESS?.trim() : undefined;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: {
      logging: { filter: { core: level, other: level }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
    shutdownSignals: [],
  });
}

/**
 * First SIGINT/SIGTERM: a command that writes winds down (run() then ends with 130/143 and one line);
 * any other command exits at once, it has nothing to clean up. A second signal exits at once.
 */
function handleSignals(command: Command | undefined, cancel: AbortController): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (cancel.signal.aborted || !command?.windsDown) {
        process.stderr.write(cancel.signal.aborted ? `warmstart: ${signal} again: exiting now, without cleaning up\n` : `warmstart: cancelled by ${signal}\n`);
        process.exit(signalExitCode(signal));
      }
      if (command.windsDown.notice) process.stderr.write(`warmstart: ${signal}: ${command.windsDown.notice}\n`);
      cancel.abort(signal);
    });
  }
}

const argv = process.argv.slice(2);
const command = findCommand(argv)?.command;
const cancel = new AbortController();
installRuntime(command);
handleSignals(command, cancel);
const code = await run(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: cancel.signal });
// Exit now: an SDK connection or timer left behind must not keep a finished command alive.
process.exit(code);

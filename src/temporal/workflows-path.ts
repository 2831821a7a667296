import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * workflows/index.ts when running from source (tsx, vitest), workflows/index.js when compiled; found
 * relative to this file, so it resolves inside node_modules too.
 */
export function workflowsPath(): string {
  for (const ext of ['.ts', '.js']) {
    const candidate = fileURLToPath(new URL(`../../workflows/index${ext}`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find workflows/index.ts or workflows/index.js next to the package');
}

/** Bundles workflow code (today's by default) without the bundler's log output: tests and replays bundle often. */
export function bundleWorkflows(path = workflowsPath()): ReturnType<typeof bundleWorkflowCode> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  return bundleWorkflowCode({ workflowsPath: path, logger: quiet });
}

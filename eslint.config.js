// Lint: no floating promises anywhere; the workflow sandbox rules in workflows/.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'url', 'util',
  'worker_threads', 'zlib', 'events', 'timers', 'dns', 'readline', 'process', 'buffer',
];
const bannedInWorkflows = [
  ...nodeBuiltins.flatMap((name) => [name, `node:${name}`, `${name}/*`, `node:${name}/*`]),
  '@aws-sdk/*', '@tensorflow/*', 'hyparquet', 'hyparquet-writer', 'apache-arrow',
  '@temporalio/activity', '@temporalio/worker', '@temporalio/client',
];

export default tseslint.config(
  // test/consumer/ is a user's plain-JS project, installed from the tarball by its test.
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.warmstart/**', 'eslint.config.js', 'test/consumer/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The library stays free of Temporal except for the one adapter folder that hosts client and worker.
    files: ['src/**/*.ts'],
    ignores: ['src/temporal/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@temporalio/*'], message: 'src/ is Temporal-free; Temporal glue lives in src/temporal/.' }] }],
    },
  },
  {
    // Deterministic code only: activities come in as types through proxyActivities.
    files: ['workflows/**/*.ts', 'src/policy/**/*.ts', 'src/refresh/**/*.ts', 'src/evaluation/gate.ts', 'src/training/spec.ts', 'src/training/levers.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: bannedInWorkflows.map((group) => ({ group: [group], message: 'Workflow code runs in the deterministic sandbox: no Node builtins, I/O libraries or tfjs. Call an activity instead.' })) }],
      'no-restricted-globals': ['error', { name: 'process', message: 'No process in workflow code.' }, { name: 'setInterval', message: 'Use workflow.sleep.' }],
    },
  },
);

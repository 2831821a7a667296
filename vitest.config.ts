import { defineConfig } from 'vitest/config';

// Tests are grouped by what they need, not by how long they take:
//   unit      pure: no Temporal, no S3, no Python, no browser (file:// stores, in-process fakes)
//   replay    recorded histories replayed against today's workflow code (no server)
//   browser   headless Chromium on files written locally
//   services  the real Temporal dev server and SeaweedFS S3 over loopback
//   python    Python / pyarrow interop (some of it against the services too)
// Only the last two start services (test/global-setup.ts); `npm run test:unit` needs none.
const startsServices = ['test/global-setup.ts'];
// Quiet Temporal worker logs, for the projects that run workers or replay histories.
const workerRuntime = ['test/setup-runtime.ts'];

export default defineConfig({
  test: {
    // The Temporal worker's native bridge has crashed under worker threads: use processes.
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One file at a time (the shared servers and 2 cores); projects run one after another (groupOrder).
    fileParallelism: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'replay', include: ['test/replay/**/*.test.ts'], setupFiles: workerRuntime, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], sequence: { groupOrder: 2 } } },
      { extends: true, test: { name: 'services', include: ['test/services/**/*.test.ts'], globalSetup: startsServices, setupFiles: workerRuntime, sequence: { groupOrder: 3 } } },
      { extends: true, test: { name: 'python', include: ['test/python/**/*.test.ts'], globalSetup: startsServices, setupFiles: workerRuntime, sequence: { groupOrder: 4 } } },
    ],
  },
});

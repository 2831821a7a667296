import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testS3, uniqueName } from '../helpers/services.js';

// The README's main job, end to end, as a user runs it (smaller versions to keep CI short).
const { store, env } = testS3();
afterAll(() => store.destroy());

describe('warmstart demo', () => {
  it('refreshes scratch then warm, rejects the corrupted version, prints the ledger and writes the report', async () => {
    const report = path.join(mkdtempSync(path.join(tmpdir(), 'warmstart-demo-')), 'report.html');
    const { code, stdout, stderr } = await runCli(['demo', '--versions', '40%,10%', '--report', report], { ...env, WARMSTART_TASK_QUEUE: uniqueName('demo') });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/v1: promoted \(scratch\)/);
    expect(stdout).toMatch(/v2: (promoted|rejected) \(warm\)/);
    expect(stdout).toMatch(/v3: rejected \(none\)[^]*sha256 .* does not match the manifest/);
    expect(stdout).toMatch(/compute saved: [\d.]+ GFLOP/);
    expect(stdout).toContain(`report: ${report}`);
    expect(existsSync(report)).toBe(true);
  });
});

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { runInProcess } from '../helpers/cli.js';
import { testS3, uniqueName } from '../helpers/services.js';

// The README's main job, end to end, through run(argv, io) (smaller versions to keep CI short). The
// default levers' promotion is asserted by their own test; here: what the demo prints is what it recorded.
const { store, env } = testS3();
afterAll(() => store.destroy());

describe('warmstart demo', () => {
  it('refreshes scratch then warm, rejects the corrupted version, prints the ledger and writes the report', async () => {
    const report = path.join(mkdtempSync(path.join(tmpdir(), 'warmstart-demo-')), 'report.html');
    const { code, stdout, stderr } = await runInProcess(['demo', '--versions', '40%,10%', '--report', report], { ...env, WARMSTART_TASK_QUEUE: uniqueName('demo') });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/v1: promoted \(scratch\)/);
    const v2 = /v2: (promoted|rejected) \(warm\)/.exec(stdout);
    expect(v2, 'v2 is a warm start, promoted or rejected by the gate').not.toBeNull();
    expect(stdout).toMatch(/v3: rejected \(none\)[^]*sha256 .* does not match the manifest/);
    expect(stdout).toMatch(/compute saved: [\d.]+ GFLOP/);
    expect(stdout).toContain(`report: ${report}`);
    expect(existsSync(report)).toBe(true);

    const model = /, model (\S+)\n/.exec(stdout)?.[1];
    const ledger = (await listAuditEntries(store, model!)).map((e) => [e.datasetVersion, e.status, e.decision.mode]);
    expect(ledger).toEqual([
      [1, 'promoted', 'scratch'],
      [2, v2![1], 'warm'],
      [3, 'rejected', 'none'],
    ]);
    // Production is the newest promoted version.
    const expected = v2![1] === 'promoted' ? { version: '2', candidate: /_v2-warm$/ } : { version: '1', candidate: /_v1-scratch$/ };
    const production = /production model: (\S+) \(v(\d+),/.exec(stdout);
    expect(production?.[2]).toBe(expected.version);
    expect(production?.[1]).toMatch(expected.candidate);
  });
});

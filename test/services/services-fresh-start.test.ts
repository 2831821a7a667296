import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/services.js';

// The README's first command failed on a fresh machine: `start` returned while SeaweedFS had not yet
// created its bucket. Here both services start from an empty state directory, on ports of their own,
// and are used at once, several times in a row.
const run = promisify(execFile);
const script = path.join(repoRoot, 'infra/services.sh');
const ports = { WARMSTART_TEMPORAL_PORT: '17233', WARMSTART_TEMPORAL_UI_PORT: '17234', WARMSTART_S3_PORT: '28333' };
let stateDir: string | undefined;

function servicesEnv(state: string): Record<string, string> {
  return { ...process.env, ...ports, WARMSTART_STATE_DIR: state } as Record<string, string>;
}

async function envOf(state: string): Promise<Record<string, string>> {
  const { stdout } = await run(script, ['env'], { env: servicesEnv(state) });
  return Object.fromEntries([...stdout.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

afterEach(async () => {
  if (stateDir) await run(script, ['stop'], { env: servicesEnv(stateDir) });
  stateDir = undefined;
});

describe('infra/services.sh start from nothing', () => {
  for (const round of [1, 2, 3]) {
    it(`round ${round}: ready when start returns: publish succeeds at once, search attributes answer`, async () => {
      stateDir = mkdtempSync(path.join(tmpdir(), 'warmstart-fresh-services-'));
      await run(script, ['start'], { env: servicesEnv(stateDir), timeout: 150_000 });
      const env = await envOf(stateDir);

      const csv = path.join(stateDir, 'rows.csv');
      writeFileSync(csv, `x,label\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'odd' : 'even'}`).join('\n')}\n`);
      const published = await runCli(['publish', csv, '--dataset', `fresh-${round}`, '--label', 'label', '--features', 'x', '--json'], env);
      expect(published.stderr).toBe('');
      expect(published.code).toBe(0);
      expect(JSON.parse(published.stdout)).toMatchObject({ dataset: `fresh-${round}`, version: 1, rows: 20 });

      const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
      try {
        const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        expect(Object.keys(listed.customAttributes ?? {})).toEqual(expect.arrayContaining(['WarmstartModel', 'WarmstartDataset', 'WarmstartVersion', 'WarmstartPromoted']));
      } finally {
        await connection.close();
      }
    });
  }
});

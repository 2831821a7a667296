// The team's own activity: writes rows with a known signal and publishes them with warmstart's library.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, openStore, publishFiles } from 'warmstart';

export async function landRows({ dataset, batch }) {
  const config = loadConfig(process.env);
  const store = openStore(config.store, config.s3);
  const dir = mkdtempSync(path.join(tmpdir(), 'consumer-rows-'));
  try {
    const lines = ['x,y,label'];
    // A deterministic stream of points; the label is the side of the line x + y = 0.
    for (let i = 0; i < 1200; i++) {
      const n = batch * 1200 + i;
      const x = Math.sin(n * 12.9898) * 2;
      const y = Math.cos(n * 78.233) * 2;
      lines.push(`${x.toFixed(4)},${y.toFixed(4)},${x + y > 0 ? 'above' : 'below'}`);
    }
    const file = path.join(dir, `batch-${batch}.csv`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const published = await publishFiles(store, { dataset, files: [file], label: 'label', features: ['x', 'y'] });
    return { version: published.version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

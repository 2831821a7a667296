import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `rows` CSV rows (two numeric features, an odd/even label) starting at row `from`; returns the path. */
export function writeOddEvenCsv(dir: string, name: string, from: number, rows: number): string {
  const lines = ['a,b,kind'];
  for (let i = from; i < from + rows; i++) lines.push(`${i},${(i * 7) % 11},${i % 2 ? 'odd' : 'even'}`);
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

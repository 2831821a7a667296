import { bar } from '../refresh/progress.js';
import type { Writer } from './io.js';

/** Terminal output helpers: progress bars on stderr (only on a TTY), tables and percentages. */
export function progressBar(label: string, terminal: Writer = process.stderr): { update(done: number, total: number, text?: string): void; done(): void } {
  const tty = terminal.isTTY === true;
  let last = '';
  return {
    update(done, total, text) {
      if (!tty) return;
      const line = `${label} ${bar(done / Math.max(1, total), 28)} ${text ?? `${done}/${total}`}`;
      if (line !== last) terminal.write(`\r${line}`);
      last = line;
    },
    done() {
      if (tty && last) terminal.write('\n');
    },
  };
}

export { pct } from '../report/text.js';

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

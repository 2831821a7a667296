import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's Chromium, headless and offline (the flags keep it from calling home on a closed network). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(path.join(tmpdir(), 'warmstart-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed (install Debian's chromium: apt-get install chromium): ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The DOM after rendering, as HTML. */
export const dumpDom = (file: string) => chromium(['--dump-dom', `file://${file}`]);

export async function screenshot(file: string, out: string, size = '1400,1500'): Promise<void> {
  await chromium([`--screenshot=${out}`, `--window-size=${size}`, '--hide-scrollbars', `file://${file}`]);
}

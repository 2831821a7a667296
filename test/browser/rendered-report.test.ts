import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html.js';
import { dumpDom, screenshot } from '../helpers/chromium.js';
import { decodePng, inkShare } from '../helpers/png.js';
import { auditEntry } from '../unit/audit-fixtures.js';

// The HTML report of a known three-version ledger, rendered by headless Chromium from a local file:
// no Temporal, no S3. The marks it draws carry their values (data-value) and sit where they say.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-browser-'));
const file = path.join(dir, 'report.html');
const entries = [auditEntry({ version: 1, mode: 'scratch', flops: 4e9 }), auditEntry({ version: 2, flops: 1e9 }), auditEntry({ version: 3, flops: 1.5e9, status: 'rejected' })];
// v3's candidate is worse and rejected: production stays at v2's model.
const candidateAccuracy = [0.9, 0.92, 0.88];
entries.forEach((entry, i) => {
  entry.attempts[0]!.evaluation.candidate.combined!.accuracy = candidateAccuracy[i]!;
  entry.attempts[0]!.evaluation.production = i === 0 ? null : { combined: { accuracy: candidateAccuracy[i - 1]!, count: 100 } };
});
let dom: string;

beforeAll(async () => {
  writeFileSync(file, renderReport('m', entries, '2026-12-01T00:00:00.000Z'));
  dom = await dumpDom(file);
});

type Mark = Record<string, string>;
const marks = (tag: string, series: string): Mark[] =>
  [...dom.matchAll(new RegExp(`<${tag} ([^>]*data-series="${series}"[^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
const numbers = (list: Mark[], key: string) => list.map((m) => Number(m[key]));

describe('the report in headless Chromium', () => {
  it('draws the three charts', () => {
    for (const id of ['accuracy-chart', 'compute-chart', 'cumulative-chart']) expect(dom).toMatch(new RegExp(`<figure id="${id}"[^]*?<svg`));
  });

  it('plots each version\'s candidate accuracy, and the production model\'s after each refresh', () => {
    expect(numbers(marks('circle', 'candidate'), 'data-value')).toEqual(candidateAccuracy);
    expect(numbers(marks('circle', 'production model'), 'data-value')).toEqual([0.9, 0.92, 0.92]);
    // Higher accuracy is drawn higher (smaller y): v2 above v1 above v3.
    const [y1, y2, y3] = numbers(marks('circle', 'candidate'), 'cy');
    expect(y2!).toBeLessThan(y1!);
    expect(y1!).toBeLessThan(y3!);
  });

  it('stacks the compute bars to scale on one baseline: 4 GFLOP scratch, then 1 and 1.5 GFLOP warm starts', () => {
    const warm = marks('rect', 'warm start');
    const scratch = marks('rect', 'scratch');
    expect(numbers(warm, 'data-value')).toEqual([0, 1, 1.5]);
    expect(numbers(scratch, 'data-value')).toEqual([4, 0, 0]);
    const perGflop = Number(scratch[0]!.height) / 4;
    expect(Number(warm[1]!.height)).toBeCloseTo(perGflop * 1, 0);
    expect(Number(warm[2]!.height)).toBeCloseTo(perGflop * 1.5, 0);
    const bottoms = [scratch[0]!, warm[1]!, warm[2]!].map((r) => Number(r.y) + Number(r.height));
    expect(new Set(bottoms.map((b) => b.toFixed(1))).size).toBe(1);
  });

  it('accumulates compute against retraining from scratch every version', () => {
    expect(numbers(marks('circle', 'retrain from scratch every version'), 'data-value')).toEqual([4, 8, 12]);
    expect(numbers(marks('circle', 'warmstart \\(actual\\)'), 'data-value')).toEqual([4, 5, 6.5]);
  });

  it('shows the ledger\'s numbers in its table, and the page is not blank', async () => {
    const value = (field: string, version: number) => Number(new RegExp(`<tr data-version="${version}"[^]*?data-field="${field}" data-value="([^"]*)"`).exec(dom)?.[1]);
    for (const entry of entries) {
      expect(value('accuracy', entry.datasetVersion)).toBe(entry.attempts[0]!.evaluation.candidate.combined!.accuracy);
      expect(value('gflop', entry.datasetVersion)).toBe(entry.compute.flops);
      expect(value('saved-gflop', entry.datasetVersion)).toBe(entry.saved.flops);
    }
    expect(Number(/data-field="total-saved-gflop" data-value="([^"]*)"/.exec(dom)?.[1])).toBe(12e9 - 6.5e9);
    const png = path.join(dir, 'report.png');
    await screenshot(file, png);
    expect(inkShare(decodePng(readFileSync(png)))).toBeGreaterThan(0.02);
  });
});

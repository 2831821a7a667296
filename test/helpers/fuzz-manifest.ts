import type { Fuzz } from './fuzz-random.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths (as key lists) of every value inside a JSON document, the root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function parentOf(doc: Json, path: (string | number)[]): { holder: Record<string | number, Json>; key: string | number } {
  let holder = doc as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, Json>;
  return { holder, key: path.at(-1)! };
}

const WRONG_VALUES: Json[] = [null, true, 0, -1, 1.5, 1e308, -1e308, 9007199254740993, '', 'x', '1', [], [1], {}, { kind: 'x' }, 'ＵＮＩＣＯＤＥ', '\u0000'];
const HUGE_NUMBERS: Json[] = [0, -1, 1.5, 1e6, 2 ** 31, 2 ** 53 + 2, 1e308];
const HOSTILE_KEYS = ['../../../etc/passwd', '/etc/passwd', 'datasets/other/v1/shard.parquet', 'datasets/d/v1/../../../x', 'datasets/d/v1/./x', 'datasets/d/v1//x', 'datasets/d/v1/%2e%2e/x', 'datasets/d/v1/x\\..\\..\\y', `datasets/d/v1/${'a'.repeat(300)}`, 'datasets/d/v1/nul\u0000byte', '', 'datasets/d', 'datasets/d/v1/manifest.json', 'datasets/d/v1'];

/** Mutations of a valid manifest; each edits `doc` in place (or returns replacement text). */
const MUTATIONS: Record<string, (doc: Json, f: Fuzz) => string | void> = {
  'field removed': (doc, f) => {
    const { holder, key } = parentOf(doc, f.pick(paths(doc)));
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete holder[key];
  },
  'wrong type': (doc, f) => {
    const { holder, key } = parentOf(doc, f.pick(paths(doc)));
    holder[key] = f.pick(WRONG_VALUES);
  },
  'huge number': (doc, f) => {
    const numeric = paths(doc).filter((p) => typeof parentOf(doc, p).holder[parentOf(doc, p).key] === 'number');
    const { holder, key } = parentOf(doc, f.pick(numeric));
    holder[key] = f.pick(HUGE_NUMBERS);
  },
  'huge shape': (doc, f) => {
    (doc as { features: { shape: Json } }).features.shape = f.pick([[1e6], [1e9, 1e9], [0], [], [-3], [2 ** 31], [65536, 65536], [512, 512, 1]]);
  },
  'duplicated shard': (doc) => {
    const shards = (doc as { shards: Json[] }).shards;
    shards.push(structuredClone(shards[0]!));
  },
  'hostile shard key': (doc, f) => {
    ((doc as { shards: { key: Json }[] }).shards[0]!).key = f.pick(HOSTILE_KEYS);
  },
  'wrong sha256': (doc, f) => {
    const shard = (doc as { shards: { sha256: string }[] }).shards[0]!;
    shard.sha256 = f.pick(['0'.repeat(64), shard.sha256.toUpperCase(), shard.sha256.slice(1), `${shard.sha256.slice(0, 63)}${shard.sha256.endsWith('0') ? '1' : '0'}`]);
  },
  'wrong rows': (doc, f) => {
    const shard = (doc as { shards: { rows: number } [] }).shards[0]!;
    shard.rows = f.pick([0, shard.rows + 1, shard.rows - 1, 1e9]);
  },
  'wrong bytes': (doc, f) => {
    const shard = (doc as { shards: { bytes: number }[] }).shards[0]!;
    shard.bytes = f.pick([0, shard.bytes + 1, 2 ** 40]);
  },
  'classes damaged': (doc, f) => {
    const d = doc as { classes: Json };
    d.classes = f.pick([['a'], ['a', 'a'], Array.from({ length: 10_001 }, (_, i) => String(i)), [1, 2], ['a', null]]);
  },
  'label dtype swapped': (doc) => {
    const label = (doc as { label: { dtype: string } }).label;
    label.dtype = label.dtype === 'integer' ? 'string' : 'integer';
  },
  'feature column renamed': (doc) => {
    const features = (doc as { features: { columns?: string[]; column?: string } }).features;
    if (features.columns) features.columns[0] = 'nope';
    else features.column = 'nope';
  },
  'normalization damaged': (doc, f) => {
    (doc as { features: { normalize: Json } }).features.normalize = f.pick([
      { kind: 'standardize', mean: [0], std: [0] },
      { kind: 'standardize', mean: [], std: [] },
      { kind: 'affine', scale: 0, offset: 0 },
      { kind: 'affine', scale: 'x', offset: 0 },
      { kind: 'log' },
    ] as Json[]);
  },
  'split fractions over 1': (doc) => {
    (doc as { split: Json }).split = { kind: 'hash', testFraction: 0.9, validationFraction: 0.5 };
  },
  'hostile object keys': (doc, f) => {
    // defineProperty: a plain assignment to __proto__ would set the prototype, not write the key.
    Object.defineProperty(doc, f.pick(['__proto__', 'constructor', 'prototype', 'toString']), { value: { polluted: true, kind: 'column', column: 'x' }, enumerable: true });
  },
  'dataset or version mismatch': (doc, f) => {
    const d = doc as { dataset: string; version: number };
    if (f.chance(0.5)) d.dataset = f.pick(['other', 'D', '../d', 'd/..']);
    else d.version = f.pick([2, 0, 99]);
  },
  'parent after version': (doc) => {
    (doc as { parentVersion: Json }).parentVersion = 5;
  },
  'shard from a later version': (doc) => {
    ((doc as { shards: { addedInVersion: number }[] }).shards[0]!).addedInVersion = 7;
  },
  'text damaged': (doc, f) => {
    const text = JSON.stringify(doc);
    return f.pick([
      text.slice(0, f.int(0, text.length - 1)),
      '',
      'null',
      '[]',
      `\uFEFF${text}`,
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      text.replace(/"/g, "'"),
      `${text}garbage`,
    ]);
  },
};

/** A mutated copy of a valid manifest's text, and what was done to it. */
export function mutateManifest(text: string, f: Fuzz): { text: string; applied: string[] } {
  const doc = JSON.parse(text) as Json;
  const applied: string[] = [];
  let replaced: string | undefined;
  const names = f.some(Object.keys(MUTATIONS), 3);
  for (const name of names.length > 0 ? names : [f.pick(Object.keys(MUTATIONS))]) {
    if (replaced !== undefined) break;
    try {
      replaced = MUTATIONS[name]!(doc, f) ?? undefined;
      applied.push(name);
    } catch {
      // The document no longer has the shape this mutation edits (an earlier one removed it): skip it.
    }
  }
  return { text: replaced ?? JSON.stringify(doc, null, 2), applied };
}

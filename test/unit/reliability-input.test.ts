import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishCommand, type PublishCommandOptions } from '../../src/cli/commands/publish.js';
import { writeParquetShard } from '../../src/data/parquet-write.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { runCli } from '../helpers/cli.js';

// Bad input as an adversarial user types it, on a file:// store: every case is refused before
// anything is written, in one line on stderr, with exit 2, and never a stack trace or a hang.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-input-'));
const storeDir = path.join(dir, 'store');
mkdirSync(storeDir);
const env = { WARMSTART_STORE: `file://${storeDir}`, TEMPORAL_ADDRESS: '127.0.0.1:1' };

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function csvRows(rows: number, label: (i: number) => string | number = (i) => i % 2): string {
  return ['a,b,kind', ...Array.from({ length: rows }, (_, i) => `${i},${(i * 7) % 11},${label(i)}`)].join('\n') + '\n';
}

const good = write('good.csv', csvRows(40));
const images = path.join(dir, 'empty-images.parquet');
writeFileSync(images, writeParquetShard(Array.from({ length: 10 }, (_, i) => ({ id: i, label: i % 2, features: new Uint8Array(0) })), { id: 'id', label: 'label', features: 'image' }));
const hugeLabel = write('huge-label.csv', csvRows(200, (i) => (i === 17 ? 2147483647 : i % 2)));
const manyClasses = write('many-classes.csv', csvRows(200, (i) => (i === 3 ? 100000 : i % 2)));

const publish = (dataset: string, ...rest: string[]) => ['publish', good, '--dataset', dataset, '--label', 'kind', '--features', 'a,b', ...rest];
const options = (dataset: string, more: Partial<PublishCommandOptions> = {}): PublishCommandOptions => ({ files: [good], dataset, label: 'kind', features: 'a,b', ...more });

// In-process through the CLI's publish command (fast); the CLI's exit code and one line are checked below.
const refusedPublishes: [string, PublishCommandOptions, RegExp][] = [
  ['an upper-case dataset name', options('UPPER'), /dataset name "UPPER" is not valid: .*lowercase.*e\.g\. "upper"/],
  ['a dataset name with a slash', options('a/b'), /dataset name "a\/b" is not valid/],
  ['a dataset name with a space', options('a b'), /dataset name "a b" is not valid/],
  ['a non-ASCII dataset name', options('données'), /dataset name "données" is not valid: .*e\.g\. "donnees"/],
  ['a hidden dataset name', options('.hidden'), /dataset name "\.hidden" is not valid/],
  ['a dataset name climbing out', options('../x'), /dataset name "\.\.\/x" is not valid/],
  ['an absolute dataset name', options('/abs'), /dataset name "\/abs" is not valid/],
  ['a dataset name ending in ..', options('x/..'), /dataset name "x\/\.\." is not valid/],
  ['a dataset name over 63 characters', options('d'.repeat(64)), /is 64 characters long, over the limit of 63/],
  ['--features naming no column', options('ok', { features: ',' }), /--features names no column/],
  ['a --shape not matching the columns', options('ok', { shape: '3,2' }), /--shape \[3, 2\] holds 6 values but --features names 2 columns/],
  ['the same file twice', options('ok', { files: [good, good] }), /is given twice/],
  ['zero-length images', options('ok', { files: [images], label: 'label', features: 'image' }), /holds no values/],
  ['a label of 2147483647', options('ok', { files: [hugeLabel] }), /label 2147483647 is beyond the limit of 10000 classes/],
  ['a label of 100000', options('ok', { files: [manyClasses] }), /label 100000 is beyond the limit of 10000 classes/],
];

describe('publish refuses bad input before writing anything', () => {
  it.each(refusedPublishes)('%s', async (_, request, message) => {
    const error = await publishCommand(new LocalObjectStore(storeDir), request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isWarmstartError(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(readdirSync(storeDir)).toEqual([]);
  });
});

const cliCases: [string, string[], RegExp][] = [
  ['publish --dataset UPPER', publish('UPPER'), /dataset name "UPPER" is not valid/],
  ['publish with a label of 2147483647', ['publish', hugeLabel, '--dataset', 'ok', '--label', 'kind', '--features', 'a,b'], /label 2147483647 is beyond the limit of 10000 classes/],
  ['refresh --model ../evil', ['refresh', '--model', '../evil', '--dataset', 'ok', '--version', '1'], /model name "\.\.\/evil" is not valid/],
  ['promote --candidate ../x', ['promote', '--model', 'm', '--candidate', '../x', '--reason', 'r'], /candidate name "\.\.\/x" is not valid/],
  ['audit --model a/b', ['audit', '--model', 'a/b'], /model name "a\/b" is not valid/],
  ['audit --parquet <a directory>', ['audit', '--model', 'm', '--parquet', dir], /\[FILE_ERROR\]: cannot use .* \(EISDIR: it is a directory\); check the path/],
];

describe('the CLI: one line, exit 2, nothing written', () => {
  it.each(cliCases)('%s', async (_, args, message) => {
    const { code, stderr } = await runCli(args, env);
    expect(stderr).toMatch(/^warmstart: error \[[A-Z_]+\]: /);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(code).toBe(2);
    expect(readdirSync(storeDir)).toEqual([]);
  });

  it('after refused names, a good publish still gets v1 (no VERSION_EXISTS forever)', async () => {
    const { code, stdout, stderr } = await runCli(publish('ok'), env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/published ok v1/);
    const validate = await runCli(['validate', '--dataset', 'ok', '--version', '1'], env);
    expect(validate.code).toBe(0);
  });

  it('a manifest with a shape of [1e6] is refused by validate in one line naming the limit', async () => {
    const key = path.join(storeDir, 'datasets', 'ok', 'v1', 'manifest.json');
    const manifest = JSON.parse(readFileSync(key, 'utf8'));
    const broken = { ...manifest, version: 2, parentVersion: 1, features: { ...manifest.features, kind: 'list', column: 'a', shape: [1e6], normalize: { kind: 'affine', scale: 1, offset: 0 } } };
    delete broken.features.columns;
    mkdirSync(path.dirname(key.replace('/v1/', '/v2/')), { recursive: true });
    writeFileSync(key.replace('/v1/', '/v2/'), JSON.stringify(broken));
    const { code, stderr } = await runCli(['validate', '--dataset', 'ok', '--version', '2'], env);
    expect(stderr).toMatch(/field features\.shape holds 1000000 values per example, over the limit of 262144/);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(code).toBe(2);
  });
});

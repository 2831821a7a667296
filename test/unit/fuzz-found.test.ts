import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateVersion } from '../../src/data/summary.js';
import { listVersions, loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { runCli, runInProcess } from '../helpers/cli.js';

// One test per bug the fuzzer (test/unit/fuzz.test.ts) found, each as small as the case that showed it.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-fuzz-found-'));
const env = { WARMSTART_STORE: `file://${path.join(dir, 'store')}`, TEMPORAL_ADDRESS: '127.0.0.1:1' };
const csv = (name: string, rows: number, offset = 0) => {
  const file = path.join(dir, name);
  writeFileSync(file, ['f0,f1,label,id', ...Array.from({ length: rows }, (_, i) => `${i + offset},${(i * 7) % 11},${i % 2},${i + offset}`)].join('\n') + '\n');
  return file;
};
const publish = (file: string, dataset: string, ...rest: string[]) => runInProcess(['publish', file, '--dataset', dataset, '--label', 'label', '--features', 'f0,f1', ...rest], env);

describe('bugs the fuzzer found', () => {
  it('an option value that starts with a dash is refused in one line', async () => {
    const result = await publish(csv('dash.csv', 20), '-d');
    expect(result.code).toBe(64);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--dataset.*--dataset=-/);
  });

  it('a problem naming text with a newline (a column name) still prints one line', async () => {
    const result = await runInProcess(['publish', csv('newline.csv', 20), '--dataset', 'nl', '--label', 'lab\nel', '--features', 'f0,f1'], env);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/column lab\\nel: missing/);
  });

  it('a column given two parts (label and id) is refused in one line, not a writer crash', async () => {
    const result = await publish(csv('roles.csv', 20), 'roles', '--id-column', 'label');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/column label is both --label and --id-column/);
  });

  it('publish never inherits shards from a version that does not validate', async () => {
    expect((await publish(csv('v1.csv', 40), 'inherit')).code).toBe(0);
    // The manifest still parses and its shard exists, but its checksum no longer matches the bytes.
    const key = path.join(dir, 'store/datasets/inherit/v1/manifest.json');
    const manifest = JSON.parse(readFileSync(key, 'utf8')) as { shards: { sha256: string }[] };
    manifest.shards[0]!.sha256 = '0'.repeat(64);
    writeFileSync(key, JSON.stringify(manifest));
    const result = await publish(csv('v2.csv', 30, 100), 'inherit');
    expect(result.code, result.stderr).toBe(0);
    const store = new LocalObjectStore(path.join(dir, 'store'));
    const [, latest] = await listVersions(store, 'inherit');
    const v2 = await loadManifest(store, 'inherit', latest!);
    expect(v2.parentVersion).toBeNull();
    await expect(validateVersion(store, v2)).resolves.toBeDefined();
  });

  it('a damaged Arrow file whose footer points at no record batch is refused, not read forever', async () => {
    // The fuzzer's file (seed 15, case 1142): apache-arrow's reader looped on it. In a process of its
    // own, so that a regression shows as a timeout instead of hanging the test run.
    const file = path.join(dir, 'damaged.arrow');
    writeFileSync(file, Buffer.from(DAMAGED_ARROW, 'base64'));
    const result = await runCli(['publish', file, '--dataset', 'arrow', '--label', 'label', '--features', 'image'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^warmstart: error \[DATASET_INVALID\]: shard damaged\.arrow is not a readable Arrow IPC file/);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('a damaged Arrow footer that claims 134 million children is refused, not decoded out of memory', async () => {
    // The fuzzer's file (seed 15, case 1553): apache-arrow allocated a Field per claimed child until the
    // heap ran out. A process of its own with a small heap, so that a regression fails here and quickly.
    const file = path.join(dir, 'children.arrow');
    writeFileSync(file, Buffer.from(HUGE_CHILDREN_ARROW, 'base64'));
    const result = await runCli(['publish', file, '--dataset', 'arrow-children', '--label', 'label', '--features', 'f0,f1'], { ...env, NODE_OPTIONS: '--max-old-space-size=256' });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^warmstart: error \[DATASET_INVALID\]: shard children\.arrow is not a readable Arrow IPC file \(the footer: field 3's children claims 134217728 entries, more than its 179 remaining bytes can hold\)/);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });
});

const DAMAGED_ARROW =
  'QVJST1cxAAD/////GAEAABQAAAEAAAAACAAWABQADwAQAAQADAAAADgAAAAAAAAAAAAAAxAAAAAEAAoAGAAMAAgABAAKAAAAFAAAAJgAAAACAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAEAAAAAAAACAQAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAQAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAABAAAAAAAAAAMAAAAAAAAAAAAAAAAAAAADAAAAAAAAAACAAAAAAAAAAAAAAABAAAAAIAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAACamZmZmXlUQKDI64XzzOH/ZmZkZmaGUUBmZmZmZuY0QGZmZmZm5jVAzczMzMzsV0AAAAAAAQAAAP////8QAAAAEAAAAAwAFAAOABBABAAIAAwAAAAQAAAAFAAAAAAABAA0AAAAAAAAAAAAAAABAAAACAAAAAAAAAAgAQAAAAAAADgAAAAAAAAAAAAAAAgACAAAAAQACAAAAAQAAAAEAAAAtAAAAHQAAABEAAAABAAAAGz///8UAAAAAAAAARgAAAAAAAACHAAAAAUAAABsYWJlbAAAAAAAAAAIAA0ACAAHAAgAAAAAAAABIAAAAKj///8UAAAAAAAAARQAAAAAAAADEAAAAAIAAABmMgAAAAAAAJb///8AAAIA1P///xQAAAAAAAABFAAAAAAAAAMQAAAAAgAAAGYxAAAAAAAAwv///wAAAgAQABgABAALABMAFAAAAAwAEAAAABQAAAAAAAABFAAAAAAAAAMYAAAAAgAAAGYwAAAAAAAAAAAGAAgABgAGAAAAAAACAEgBAABBUlJPVzE=';

const HUGE_CHILDREN_ARROW =
  'QVJST1cxAAD/////KAEAABQAAAAAAAAADAAWABQADwAQAAQADAAAAEAAAAAAAAAAAAAAAxAAAAAEAAoAGAAMAAgABAAKAAAAFAAAAKgAAAACAAAAAAAAAAAAAAAJAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAQAAAAAAAAAAEAAAAAAAAAEAAAAAAAAAAQAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAABAAAAAAAAAAMAAAAAAAAAAIAAAAAAAAADgAAAAAAAAAAAAAAAAAAAA4AAAAAAAAAAgAAAAAAAAAAAAAAAQAAAACAAAAAAAAAAAAgAAAAAAAAgAAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAZmZmZmZmSkAzMzMzM7M2QGZmZmZmZi1AmpmZmZmZE0AAAAAAAwAAAAYAAAAAAAAAY2F0ZG9nAAABAAAABAAAAP////8AAAAAEAAAAAwAFAAOABAABAAIAAwAAAAQAAAAFACAAAAABAA0AAAAAAAAAAAAAAABAAAACAAAAAAAAAAwAQAAAAAAAEAAAAAAAAAAAAAAAAgACAAAAAQACAAAAAQAAAAEAAAAtAAAAHQAAABAAAAABAAAAGz///8UAAAAAAAAARUAAAAAAAACGAAAAAIAAABpZAAAAAAAAAgADAAIAAcACAAAAAAAAAEgAAAApP///xQAAAAAAAABGAAAAAAAAAUYAAAABQAAAGxhYmVsAAAAAAAAAAQABAAEAAAA1P///xQAAAAAAAABFAAAAAAAAAMQAAAAAgAAAGYxAAAAAAAAwv///wAAAgAQABgABAALABMAFAAAAAwAEAAAABQAAAAAAAABFAAAAAAAAAMYAAAAAgAAAGYwAAAAAAAAAAAGAAgABgAGAAAAAAACAEgBAABBUlJPVzE=';

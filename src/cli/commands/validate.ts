import { summarizeVersion } from '../../data/summary.js';
import { loadManifest } from '../../data/versions.js';
import { defineCommand } from '../command.js';
import { DATASET, JSON_OUTPUT, STORE, VERSION } from '../common-options.js';

export const validateCli = defineCommand({
  name: 'validate',
  group: 'data',
  summary: "check a version's manifest and every shard (size, sha256, columns, labels)",
  options: { dataset: DATASET, version: VERSION, ...STORE, ...JSON_OUTPUT },
  async run({ values: { dataset, version, json }, context, out }) {
    const { store } = await context();
    const manifest = await loadManifest(store, dataset, version);
    const rows = await summarizeVersion(store, manifest);
    const summary = { dataset, version, shards: manifest.shards.length, rows: rows.train + rows.validation + rows.test, classes: manifest.classes.length, newRows: rows.newRows, splits: { train: rows.train, validation: rows.validation, test: rows.test } };
    out(json ? JSON.stringify(summary) : `ok: ${dataset} v${version}: ${summary.shards} shards, ${summary.rows} rows (${summary.newRows} new; train ${rows.train}, validation ${rows.validation}, test ${rows.test}), ${summary.classes} classes`);
  },
});

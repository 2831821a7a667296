import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listAuditEntries } from '../../audit/ledger.js';
import { loadPriceTable } from '../../audit/pricing.js';
import { listShadowScratchRecords } from '../../audit/shadow-ledger.js';
import { WarmstartError } from '../../errors.js';
import { renderReport } from '../../report/html.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { defineCommand } from '../command.js';
import { JSON_OUTPUT, MODEL, STORE } from '../common-options.js';

/** Writes the static HTML report of a model's ledger; returns its path. */
export async function reportCommand(store: ObjectStore, model: string, out: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  const entries = await listAuditEntries(store, model);
  if (entries.length === 0) throw new WarmstartError('MODEL_NOT_FOUND', `no audit entries for model ${model} in ${store.uri}; check the name or run a refresh first`, model);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, renderReport(model, entries, new Date().toISOString(), loadPriceTable(env), await listShadowScratchRecords(store, model)));
  return path.resolve(out);
}

export const reportCli = defineCommand({
  name: 'report',
  group: 'operating',
  summary: 'write the static HTML report (charts of accuracy and compute per version)',
  options: { model: MODEL, out: { type: 'string', value: '<file>', help: 'where to write it (default warmstart-report-<model>.html)' }, ...STORE, ...JSON_OUTPUT },
  async run({ values: { model, out: file, json }, io, context, out }) {
    const { store } = await context();
    const written = await reportCommand(store, model, file ?? `warmstart-report-${model}.html`, io.env);
    out(json ? JSON.stringify({ report: written }) : `wrote ${written}`);
  },
});

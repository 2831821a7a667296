// warmstart: the library (no Temporal). Subpaths: warmstart/plugin (workers, client helpers),
// warmstart/workflows (workflow types to re-export), warmstart/workflow-helpers (messages, IDs and
// helpers for your own workflows), warmstart/bench (the paper's protocol). docs/api.md lists them all.
export { loadConfig, parseStoreUri, type WarmstartConfig, type StoreLocation, type S3Settings } from './config.js';
export { WarmstartError, isWarmstartError, FAILURE_TYPES, type WarmstartErrorCode } from './errors.js';
export type { ObjectStore, StoredObject, PutOptions } from './storage/object-store.js';
export { S3ObjectStore, type S3StoreOptions } from './storage/s3-store.js';
export { LocalObjectStore } from './storage/local-store.js';
export { openStore } from './storage/open-store.js';
export { manifestKey } from './storage/keys.js';
export { parseManifest, type Manifest, type ShardEntry, type FeatureSpec } from './data/manifest.js';
export { publishVersion, type PublishRequest, type PublishResult } from './data/publish.js';
export { publishFiles, type PublishFilesRequest } from './data/publish-files.js';
export { categoryIndexer, categoryKey, featureColumns, MAX_VOCABULARY, OOV_INDEX, type CategoricalColumn, type TabularColumn } from './data/vocabulary.js';
export { loadManifest, listVersions } from './data/versions.js';
export { summarizeVersion, type VersionSummary } from './data/summary.js';
export { streamBatches, type Batch, type StreamOptions } from './data/stream.js';
export { selectBackend, type BackendInfo } from './training/backend.js';
export { registerModelBuilder, type ModelBuilder, type ModelBuildContext } from './training/build-model.js';
export { TabularInput } from './training/tabular-input.js';
export { DEFAULT_MODEL_SPEC, DEFAULT_CNN_SPEC, type ModelSpec, type MlpSpec, type CnnSpec, type CustomSpec } from './training/spec.js';
export { resolveLevers, validateLevers, DEFAULT_LEVERS, type LeverSettings, type LeverSettingsInput } from './training/levers.js';
export { DEFAULT_REFRESH_SETTINGS, resolveRefreshSettings, type RefreshSettings, type RefreshSettingsInput } from './refresh/settings.js';
export { readProduction, type ProductionPointer } from './registry/production.js';
export { loadProductionModel } from './registry/serving.js';
export { listAuditEntries, writeCorrection, type AuditEntry, type Correction } from './audit/ledger.js';
export { verifyChain, type ChainVerdict } from './audit/verify.js';
export { listShadowScratchRecords } from './audit/shadow-ledger.js';
export { joinShadowRecords, type ShadowComparison, type ShadowScratchRecord } from './audit/shadow.js';
export { loadPriceTable, parsePriceTable, type PriceTable } from './audit/pricing.js';
export { costTotals, groupTotals, type CostTotals } from './audit/totals.js';

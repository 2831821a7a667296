// The public API of warmstart. Anything not exported here is internal.
export { loadConfig, parseStoreUri, type WarmstartConfig, type StoreLocation, type S3Settings } from './config.js';
export { WarmstartError, isWarmstartError, type WarmstartErrorCode } from './errors.js';
export type { ObjectStore, StoredObject, PutOptions } from './storage/object-store.js';
export { S3ObjectStore, type S3StoreOptions } from './storage/s3-store.js';
export { LocalObjectStore } from './storage/local-store.js';
export { openStore } from './storage/open-store.js';
export { manifestSchema, parseManifest, manifestKey, featureSize, MANIFEST_FORMAT, type Manifest, type ShardEntry, type FeatureSpec, type Normalize } from './data/manifest.js';
export { publishVersion, type PublishRequest, type PublishResult } from './data/publish.js';
export { publishFiles, type PublishFilesRequest } from './data/publish-files.js';
export { streamBatches, type Batch, type StreamOptions } from './data/stream.js';
export { loadManifest, listVersions, latestManifest } from './data/versions.js';
export { loadExamples, type Examples } from './data/examples.js';
export { loadMnistDigits, parseVersionPlan, planMnistVersions } from './data/mnist.js';
export { selectBackend, type BackendInfo } from './training/backend.js';
export { buildModel, registerModelBuilder, registeredModelBuilders, type ModelBuilder, type ModelBuildContext } from './training/model-spec.js';
export { DEFAULT_MODEL_SPEC, DEFAULT_CNN_SPEC, describeModelSpec, type ModelSpec, type MlpSpec, type CnnSpec, type CustomSpec } from './training/spec.js';
export {
  DEFAULT_LEVERS,
  BAD_TRAINING_CONFIG,
  resolveLevers,
  validateLevers,
  plainLevers,
  leverSteps,
  LeverSettingsError,
  type LeverSettings,
  type LeverSettingsInput,
  type LeverProblem,
  type InitLever,
  type RegularizationLever,
  type SelectionLever,
  type ScheduleLever,
  type DifficultyScore,
} from './training/levers.js';
export { trainModel, trainLoop, type TrainOptions, type TrainStats, type LoopOptions, type LoopStats, type LoopSnapshot } from './training/trainer.js';
export { runTraining, type RunTrainingOptions, type RunTrainingResult, type ComputeAccount, type CurvePoint, type RunProgressState } from './training/run.js';
export { initializeModel, InitializationError, type PreviousModel } from './training/init.js';
export { saveCheckpoint, loadCheckpoint, deleteCheckpoints, checkpointsPrefix, saveOptimizerState, loadOptimizerState, type CheckpointRef, type LoadedCheckpoint } from './training/checkpoint.js';
export { saveModel, loadModel } from './training/model-io.js';
export { estimateFlops, type FlopEstimate, type LayerFlops } from './training/flops.js';
export { learningRateAt } from './training/schedule.js';
export { evaluateAccuracy, type AccuracyMetrics } from './evaluation/evaluate.js';
export { gateCandidate, type GateResult } from './evaluation/gate.js';
export { decideRefresh, type RefreshDecision } from './policy/decide.js';
export { DEFAULT_REFRESH_SETTINGS, resolveRefreshSettings, type RefreshSettings } from './refresh/settings.js';
export { readProduction, promote, productionKey, type ProductionPointer, type PromotionResult } from './registry/production.js';
export { listAuditEntries, writeAuditEntry, auditKey, type AuditEntry } from './audit/ledger.js';
export { connectClient, signalVersionLanded, queryRefreshState, waitForOutcome } from './temporal/client.js';
export { createWorkers, workflowsPath, type WorkerRole, type WarmstartWorkers } from './temporal/worker.js';
export { createActivities } from '../activities/index.js';
export * from '../workflows/definitions.js';
export { benchContinual, type ContinualOptions, type ContinualResult, type VariantSummary, type SeedOutcome } from './bench/continual.js';
export { benchMultiStep, type MultiStepOptions, type MultiStepResult, type StepSummary } from './bench/multistep.js';
export { stepsToReach, finalAccuracy, speedUp, WINDOW as REACHED_WINDOW, type SpeedUp } from './bench/target.js';
export { COMBINED_LEVERS, variants as benchVariants, type Variant as BenchVariant } from './bench/variants.js';
export { continualTable, multiStepTable } from './bench/format.js';
export { continualChart, multiStepChart } from './bench/chart.js';

/**
 * The workflows' wire contract as zod schemas: what a client in any language sends and gets back.
 * The TypeScript types in workflows/definitions.ts are the source; test/unit/contract.test.ts checks
 * at compile time that these schemas and those types agree, and that docs/contract.md (generated
 * from here by `npm run contract`) is current.
 */
import { z } from 'zod';
import { METRIC_NAMES } from '../evaluation/metrics.js';

const name = z.string().min(1);

export const versionLandedSchema = z
  .object({ dataset: name.describe('dataset name'), version: z.number().int().positive().describe('the committed version number') })
  .describe('A dataset version landed: the payload of the versionLanded signal.');

const thresholdSchema = z.object({
  metric: z.enum(METRIC_NAMES).describe('accuracy, logLoss, logLossSkill, auc, macroF1; precision, recall, f1 on class slices (docs/metrics.md)'),
  slice: z.string().describe('combined, old, new or class:<name>'),
  lowerBound: z.number().optional(),
  upperBound: z.number().optional(),
  absoluteChange: z.number().optional(),
  relativeChange: z.number().optional(),
  direction: z.enum(['higher-is-better', 'lower-is-better']),
});

export const refreshSettingsInputSchema = z
  .object({
    modelSpec: z.record(z.string(), z.unknown()).describe('{"kind":"mlp",...}, {"kind":"cnn",...} or {"kind":"custom","name":...}').optional(),
    scratchSteps: z.number().int().positive().nullable().describe('explicit scratch budget; null or absent: the recipe (scratchEpochs)').optional(),
    scratchEpochs: z.number().positive().describe('the scratch recipe: epochs of the version\'s training rows (default 15)').optional(),
    scratchWarmupFraction: z.number().min(0).lt(1).describe('warmup share of the recipe\'s scratch budget (default 0.05)').optional(),
    warmSteps: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    learningRate: z.number().positive().optional(),
    warmLearningRate: z.number().positive().optional(),
    warmupSteps: z.number().int().nonnegative().optional(),
    seed: z.number().int().optional(),
    policy: z.object({ maxWarmStartsInRow: z.number().int(), maxNewToOldRatio: z.number(), scratchAfterFailedWarmStart: z.boolean() }).partial().optional(),
    gate: z
      .object({
        thresholds: z.array(thresholdSchema),
        pairedTest: z.object({ alpha: z.number(), confidence: z.number(), waiveInsignificantDrops: z.boolean() }).nullable(),
        binaryOrImbalanced: z.object({ majorityShare: z.number(), thresholds: z.array(thresholdSchema) }).nullable().describe('thresholds added for a binary or imbalanced test split'),
        bootstrapTest: z.object({ alpha: z.number() }).nullable().describe('paired bootstrap on gated auc / logLoss change thresholds'),
      })
      .partial()
      .optional(),
    fallback: z.object({ toScratch: z.boolean(), maxTrainFlops: z.number().nullable() }).partial().optional(),
    trainingHeartbeatSeconds: z.number().int().positive().optional(),
    checkpointEvery: z.number().int().positive().optional(),
    progressEvaluations: z.number().int().nonnegative().optional(),
    classWeights: z.enum(['none', 'balanced']).describe('balanced: weight each class in the loss by total / (classes x class weight)').optional(),
    shadowScratch: z
      .object({ everyVersions: z.number().int().positive() })
      .nullable()
      .describe('every K-th version a warm start also trains scratch in the background (measured, never promoted); null or absent: off')
      .optional(),
    warmLevers: z
      .union([z.literal('benchmark'), z.null(), z.record(z.string(), z.unknown())])
      .describe('"benchmark" (the levers the benchmark chose), null (a plain warm copy) or explicit levers (init, regularization, selection, schedule)')
      .optional(),
  })
  .describe('How a model is refreshed; every field is optional and defaults as in DEFAULT_REFRESH_SETTINGS.');

const refreshOutcomeSchema = z
  .object({
    dataset: name,
    version: z.number().int(),
    workflowId: z.string(),
    status: z.enum(['promoted', 'rejected', 'superseded', 'skipped', 'duplicate', 'failed']),
    mode: z.enum(['scratch', 'warm', 'none']),
    candidateId: z.string().nullable(),
    accuracy: z.number().nullable(),
    reasons: z.array(z.string()),
    auditKey: z.string().nullable(),
  })
  .describe("One version's refresh, as the model workflow records it.");

export const productionViewSchema = z
  .object({ candidateId: z.string(), datasetVersion: z.number().int(), testAccuracy: z.number(), promotedBy: z.string() })
  .describe('The candidate that serves now.');

const byWhom = z.object({ by: z.string().min(1), reason: z.string().min(1) });

export const modelRefreshStateSchema = z
  .object({
    model: name,
    pending: z.array(versionLandedSchema),
    current: versionLandedSchema.nullable(),
    paused: byWhom.nullable(),
    production: productionViewSchema.nullable(),
    promotedCandidates: z.array(z.string()),
    outcomes: z.array(refreshOutcomeSchema),
    lastVersion: z.record(z.string(), z.number().int()),
  })
  .describe("The model workflow's state: the result of the state query (and of pause and resume).");

export const modelRefreshInputSchema = z
  .object({
    model: name.describe('model name'),
    settings: refreshSettingsInputSchema.optional(),
    state: modelRefreshStateSchema.optional().describe('carried across continue-as-new; leave out'),
    refreshesPerRun: z.number().int().positive().optional(),
  })
  .describe('The input of modelRefreshWorkflow (workflow ID model-refresh/<model>).');

export const refreshOverridesSchema = z
  .object({
    force: z.enum(['scratch', 'warm']).optional(),
    overrideGate: byWhom.optional(),
    requestedBy: z.string().optional(),
    promote: z.boolean().optional(),
  })
  .describe('Operator requests for one refresh (a replay).');

export const refreshVersionInputSchema = z
  .object({
    model: name,
    dataset: name,
    version: z.number().int().positive(),
    settings: refreshSettingsInputSchema.optional(),
    overrides: refreshOverridesSchema.optional(),
    replayOf: z.string().optional(),
  })
  .describe('The input of refreshVersionWorkflow (workflow ID refresh/<model>/<dataset>/v<N>).');

export const operatorRequestSchema = z
  .object({ candidateId: z.string().min(1), by: z.string().min(1), reason: z.string().min(1) })
  .describe('The argument of the promote and rollback updates.');

export const pauseRequestSchema = byWhom.describe('The argument of the pause update.');
export const resumeRequestSchema = z.object({ by: z.string().min(1) }).describe('The argument of the resume update.');
export { refreshOutcomeSchema };

/** Every message of the contract, by the name docs/contract.md and the JSON Schema file use. */
export const CONTRACT_SCHEMAS = {
  ModelRefreshInput: modelRefreshInputSchema,
  RefreshVersionInput: refreshVersionInputSchema,
  VersionLanded: versionLandedSchema,
  ModelRefreshState: modelRefreshStateSchema,
  RefreshOutcome: refreshOutcomeSchema,
  ProductionView: productionViewSchema,
  OperatorRequest: operatorRequestSchema,
  PauseRequest: pauseRequestSchema,
  ResumeRequest: resumeRequestSchema,
  RefreshSettingsInput: refreshSettingsInputSchema,
  RefreshOverrides: refreshOverridesSchema,
} as const;

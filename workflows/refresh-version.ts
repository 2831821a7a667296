import { ActivityFailure, ApplicationFailure, log, patched, TimeoutFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BlessingInput } from '../activities/audit.js';
import type { PromoteInput } from '../activities/promote.js';
import type { TrainHeartbeat } from '../activities/train.js';
import type { AttemptRecord, AuditEntry } from '../src/audit/ledger.js';
import { promotionRecord } from '../src/audit/promotion-record.js';
import { attemptRecord, failedEntry, finishedEntry, rejectedEntry, type EntryBase } from '../src/audit/records.js';
import { scratchCost } from '../src/audit/savings.js';
import { FAILURE_TYPES } from '../src/errors.js';
import type { ActivityUsage } from '../src/audit/usage.js';
import { gateCandidate } from '../src/evaluation/gate.js';
import { decideRefresh, type RefreshDecision, type RefreshMode } from '../src/policy/decide.js';
import { legacyScratchSettings, planRefresh, type RefreshPlan } from '../src/refresh/plan.js';
import type { LeverRecipe } from '../src/refresh/warm-levers.js';
import { LEGACY_BINARY_OR_IMBALANCED, resolveRefreshSettings, type RefreshSettings, type RefreshSettingsInput } from '../src/refresh/settings.js';
import { refreshActivities } from './activities.js';
import { candidateIdFor, type RefreshOutcome, type RefreshVersionInput } from './definitions.js';
import { enterPhase } from './phase.js';
import { COMPUTE_SECONDS, DECISION, PROMOTED } from './search-attributes.js';

const BAD_DATASET = FAILURE_TYPES.badDataset;

function badDatasetMessage(error: unknown): string | null {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === BAD_DATASET) {
    return error.cause.message;
  }
  return null;
}

type Activities = ReturnType<typeof refreshActivities>;
type Context = Awaited<ReturnType<Activities['data']['loadRefreshContext']>>;

interface Attempt {
  record: AttemptRecord;
  candidatePrefix: string;
  candidateId: string;
  /** The gate's verdict for the candidate's blessing file. */
  blessing: BlessingInput;
}

/**
 * Added after histories were recorded: the final candidate's blessing, the promotion and the ledger
 * entry run as one local activity (concludeRefresh) instead of three activities, two workflow tasks
 * fewer per refresh. Refreshes started before it replay through the three.
 */
const CONCLUDE_IN_ONE = 'conclude-in-one';

/** The plan (classes, levers, scratch budget) and whether the scratch recipe applies (patched). */
type Planned = { plan: RefreshPlan; recipe: boolean };

/** A scratch run's levers: the plan's recipe schedule; none before the recipe (the activity's plain scratch run). */
const scratchLeversOf = (plan: RefreshPlan, recipe: boolean) => (recipe ? { levers: plan.scratchLevers } : {});

/** One training + evaluation + gate pass; the candidate ID carries the mode so a fallback never overwrites the warm candidate. */
async function runAttempt(activities: Activities, input: RefreshVersionInput, planned: Planned, context: Context, mode: RefreshMode, usage: ActivityUsage[]): Promise<Attempt> {
  const { plan } = planned;
  const settings = plan.training;
  const candidateId = `${candidateIdFor(workflowInfo().workflowId)}-${mode}`;
  const initFrom = mode === 'warm' ? (context.production?.candidatePrefix ?? null) : null;
  enterPhase('training', `training ${mode} on ${input.dataset} v${input.version} (candidate ${candidateId}); step, ETA, validation accuracy: warmstart status --model ${input.model}`);
  const trained = await activities.training.trainCandidate({
    model: input.model,
    dataset: input.dataset,
    version: input.version,
    candidateId,
    mode,
    initFromPrefix: initFrom,
    settings,
    ...(mode === 'warm' ? { levers: plan.warmLevers ?? undefined } : scratchLeversOf(plan, planned.recipe)),
  });
  // Every attempt of the activity counts, the lost ones as their heartbeats reported them (older workers report none).
  for (const earlier of trained.earlierAttempts ?? []) usage.push({ activity: 'trainCandidate', subject: candidateId, usage: earlier.usage });
  if (trained.usage) usage.push({ activity: 'trainCandidate', subject: candidateId, usage: trained.usage });
  enterPhase('evaluating', `evaluating ${candidateId} against production on the test split of ${input.dataset} v${input.version}`);
  const evaluated = await activities.evaluation.evaluateCandidate({
    dataset: input.dataset,
    version: input.version,
    candidatePrefix: trained.candidatePrefix,
    productionPrefix: context.production?.candidatePrefix ?? null,
  });
  if (evaluated.usage) usage.push({ activity: 'evaluateCandidate', subject: candidateId, usage: evaluated.usage });
  const gate = gateCandidate({ candidate: evaluated.candidate, baseline: evaluated.production, paired: evaluated.paired }, settings.gate);
  const blessing: BlessingInput = { candidatePrefix: trained.candidatePrefix, blessed: gate.passed, reasons: gate.reasons, workflowId: workflowInfo().workflowId };
  // Since conclude-in-one, blessed later: by concludeRefresh when final, before the fallback when not.
  if (!patched(CONCLUDE_IN_ONE)) await activities.storage.recordBlessing(blessing);
  const initializedFrom = mode === 'warm' ? (context.production?.candidateId ?? null) : null;
  return { candidateId, candidatePrefix: trained.candidatePrefix, blessing, record: attemptRecord(mode, trained, initializedFrom, evaluated, gate) };
}

/** One line for the ledger: which activity failed, the failure's type, and its message. */
function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure) {
    const cause = error.cause;
    const type = cause instanceof ApplicationFailure && cause.type ? ` (${cause.type})` : '';
    return `${error.activityType} failed${type}: ${cause?.message ?? error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A training activity out of retries after lost heartbeats: its attempts' spend, as the last heartbeat the server kept reported it. */
function lostTrainingUsage(error: unknown, usage: ActivityUsage[]): void {
  if (!(error instanceof ActivityFailure) || error.activityType !== 'trainCandidate' || !(error.cause instanceof TimeoutFailure)) return;
  const heard = error.cause.lastHeartbeatDetails as TrainHeartbeat | undefined;
  for (const spend of [...(heard?.earlier ?? []), ...(heard?.current ? [heard.current] : [])]) usage.push({ activity: 'trainCandidate', subject: 'lost attempt', usage: spend.usage });
}

/** Whether a failed warm start may retrain from scratch: configured, and the budget allows a scratch run's cost. */
function fallbackPlan(settings: RefreshSettings, scratchSteps: number, warm: AttemptRecord): { allowed: boolean; why: string } {
  if (!settings.fallback.toScratch) return { allowed: false, why: 'fallback to scratch is disabled' };
  const budget = settings.fallback.maxTrainFlops;
  if (budget === null) return { allowed: true, why: 'warm start failed its gate: retraining from scratch' };
  // Estimate scratch's cost from the warm run's cost per step (same model, same batch size).
  const scratchEstimate = (warm.training.flops / Math.max(1, warm.training.steps)) * scratchSteps;
  const total = warm.training.flops + scratchEstimate;
  return total <= budget
    ? { allowed: true, why: `warm start failed its gate: retraining from scratch (estimated ${total.toExponential(2)} of ${budget.toExponential(2)} FLOPs budget)` }
    : { allowed: false, why: `warm start failed its gate; a scratch run would exceed the compute budget (${total.toExponential(2)} > ${budget.toExponential(2)} FLOPs)` };
}

/** What every step of one refresh shares. */
interface Run {
  input: RefreshVersionInput;
  settings: RefreshSettings;
  activities: Activities;
  workflowId: string;
  base: EntryBase;
  /** What every activity run spent, in order; it goes into the entry whatever the outcome. */
  usage: ActivityUsage[];
}

const closeNow = (run: Run) => ({ finishedAt: new Date().toISOString(), usage: run.usage });

/** Validates the version (manifest, checksums, every row); a bad one is rejected, audited and marked. */
async function validateOrReject(run: Run): Promise<{ context: Context } | { rejected: RefreshOutcome }> {
  const { input, activities, workflowId, usage } = run;
  try {
    enterPhase('validating', `validating ${input.dataset} v${input.version}: manifest, checksums and every row`);
    const context = await activities.data.loadRefreshContext({ model: input.model, dataset: input.dataset, version: input.version });
    if (context.usage) usage.push({ activity: 'loadRefreshContext', subject: 'validation', usage: context.usage });
    return { context };
  } catch (error) {
    const rejection = badDatasetMessage(error);
    if (rejection === null) throw error;
    const spent = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? (error.cause.details ?? []).find((d): d is { usage: ActivityUsage['usage'] } => typeof d === 'object' && d !== null && 'usage' in d) : undefined;
    if (spent) usage.push({ activity: 'loadRefreshContext', subject: 'validation (rejected)', usage: spent.usage });
    log.warn('dataset version rejected', { rejection });
    enterPhase('rejected', `rejected ${input.dataset} v${input.version}: ${rejection}`);
    const { key } = await activities.storage.recordAudit(rejectedEntry(run.base, rejection, closeNow(run)));
    // Added after histories were recorded: patched() keeps refreshes started before it replayable.
    if (patched('mark-rejected-version')) {
      await activities.storage.markVersionRejected({ dataset: input.dataset, version: input.version, reason: rejection, workflowId });
    }
    upsertSearchAttributes([{ key: DECISION, value: 'rejected' }, { key: PROMOTED, value: false }, { key: COMPUTE_SECONDS, value: 0 }]);
    return { rejected: { dataset: input.dataset, version: input.version, workflowId, status: 'rejected', mode: 'none', candidateId: null, accuracy: null, reasons: [rejection], auditKey: key } };
  }
}

/** The decided attempt, and a scratch fallback when a warm start fails its gate; a failure is audited, then rethrown. */
async function trainAndGate(run: Run, context: Context, decision: RefreshDecision, planned: Planned): Promise<{ attempts: Attempt[]; fallback: string | null }> {
  const { input, settings, activities, usage } = run;
  const attempts: Attempt[] = [];
  let fallback: string | null = null;
  try {
    attempts.push(await runAttempt(activities, input, planned, context, decision.mode, usage));
    if (decision.mode === 'warm' && !attempts[0]!.record.gate.passed) {
      const plan = fallbackPlan(settings, planned.plan.scratch.steps, attempts[0]!.record);
      fallback = plan.why;
      if (plan.allowed) {
        // The warm candidate is not the final one: its blessing is written now, as before conclude-in-one.
        if (patched(CONCLUDE_IN_ONE)) await activities.storage.recordBlessing(attempts[0]!.blessing);
        attempts.push(await runAttempt(activities, input, planned, context, 'scratch', usage));
      }
    }
    return { attempts, fallback };
  } catch (error) {
    enterPhase('failed', `failed: ${describeFailure(error)}`);
    // Added after histories were recorded: patched() keeps failed refreshes started before it replayable.
    if (patched('audit-failed-refresh')) {
      lostTrainingUsage(error, usage);
      const entry = failedEntry(run.base, { decision, attempts: attempts.map((a) => a.record), fallback, failure: describeFailure(error) }, closeNow(run));
      await activities.storage.recordAudit(entry);
      upsertSearchAttributes([{ key: PROMOTED, value: false }, { key: COMPUTE_SECONDS, value: entry.compute.trainSeconds + entry.compute.evaluationSeconds }]);
    }
    throw error;
  }
}

type Override = { by: string; reason: string } | null;

type Promotion = { status: 'promoted' | 'rejected' | 'superseded'; promotion: AuditEntry['promotion'] };

/** The conditional write of production.json for the final candidate, or why none is attempted (gate failed and no override, or promotion disabled). */
function promotionRequest(run: Run, context: Context, final: Attempt, override: Override): { request: PromoteInput } | { notAttempted: Promotion } {
  const { input, settings, workflowId } = run;
  if (!(input.overrides?.promote ?? true)) {
    return { notAttempted: { status: 'rejected', promotion: { outcome: 'not-attempted', candidateId: null, detail: 'replay with promotion disabled; production untouched', override: null } } };
  }
  if (!final.record.gate.passed && !override) {
    return { notAttempted: { status: 'rejected', promotion: { outcome: 'not-attempted', candidateId: null, detail: 'gate failed; production untouched', override: null } } };
  }
  const mode = final.record.mode;
  enterPhase('promoting', `promoting ${final.candidateId} (conditional write on production.json)`);
  return {
    request: {
      expectedEtag: context.productionEtag,
      pointer: {
        model: input.model,
        candidateId: final.candidateId,
        candidatePrefix: final.candidatePrefix,
        dataset: input.dataset,
        datasetVersion: input.version,
        modelSpec: settings.modelSpec,
        classes: context.dataset.classes,
        featureShape: context.dataset.featureShape,
        testAccuracy: final.record.evaluation.candidate.combined?.accuracy ?? 0,
        mode,
        warmStartsInRow: mode === 'warm' ? (context.production?.warmStartsInRow ?? 0) + 1 : 0,
        promotedBy: workflowId,
        ...(override ? { note: `gate overridden by ${override.by}: ${override.reason}` } : {}),
      },
    },
  };
}

/** The entry as the refresh finished, given its promotion. */
type EntryFor = (outcome: Promotion) => AuditEntry;

/** Before conclude-in-one: promotion and ledger entry as two activities (the blessing was written after the gate). */
async function promoteThenAudit(run: Run, final: Attempt, planned: ReturnType<typeof promotionRequest>, override: Override, entryFor: EntryFor) {
  let outcome: Promotion;
  if ('request' in planned) {
    const result = await run.activities.storage.promoteCandidate(planned.request);
    outcome = promotionRecord(result, final.candidateId, override);
  } else {
    outcome = planned.notAttempted;
  }
  const entry = entryFor(outcome);
  const { key } = await run.activities.storage.recordAudit(entry);
  return { ...outcome, entry, key };
}

/** Since conclude-in-one: blessing, promotion and ledger entry in one local activity; the entry's outcome is the promotion's. */
async function concludeInOne(run: Run, final: Attempt, planned: ReturnType<typeof promotionRequest>, override: Override, entryFor: EntryFor) {
  // Until the write decides them, the entry says what is being attempted.
  const draft = 'request' in planned ? entryFor({ status: 'promoted', promotion: { outcome: 'pending', candidateId: final.candidateId, detail: null, override } }) : entryFor(planned.notAttempted);
  const promotion = 'request' in planned ? { request: planned.request, override } : null;
  const concluded = await run.activities.conclusion.concludeRefresh({ blessing: final.blessing, promotion, entry: draft });
  const status = concluded.status as Promotion['status'];
  return { status, promotion: concluded.promotion, entry: { ...draft, status, promotion: concluded.promotion }, key: concluded.key };
}

/**
 * Refreshes one model on one dataset version: validate -> decide -> train -> evaluate -> gate
 * (-> fall back to scratch) -> promote or reject -> audit entry. A bad version is rejected and
 * production left untouched.
 */
/**
 * The settings, as a refresh started before the default binary gate's log-loss change moved to skill
 * units saw them (patched: its gate decided the commands that followed).
 */
function settingsOf(input: RefreshSettingsInput | undefined): RefreshSettings {
  const settings = resolveRefreshSettings(input);
  if (input?.gate?.binaryOrImbalanced !== undefined || patched('log-loss-skill-change')) return settings;
  return { ...settings, gate: { ...settings.gate, binaryOrImbalanced: LEGACY_BINARY_OR_IMBALANCED } };
}

export async function refreshVersionWorkflow(input: RefreshVersionInput): Promise<RefreshOutcome> {
  const settings = settingsOf(input.settings);
  const { workflowId } = workflowInfo();
  const base: EntryBase = { model: input.model, dataset: input.dataset, datasetVersion: input.version, workflowId, replayOf: input.replayOf ?? null, startedAt: new Date().toISOString() };
  const run: Run = { input, settings, activities: refreshActivities(settings), workflowId, base, usage: [] };

  const validated = await validateOrReject(run);
  if ('rejected' in validated) return validated.rejected;
  const { context } = validated;

  const force = input.overrides?.force ? { mode: input.overrides.force, by: input.overrides.requestedBy ?? 'operator' } : null;
  const decision = decideRefresh({ production: context.production, dataset: context.dataset, modelSpec: settings.modelSpec, policy: settings.policy, lastAttempt: context.lastAttempt, force });
  upsertSearchAttributes([{ key: DECISION, value: decision.mode }]);

  // Added after histories were recorded: refreshes started before the scratch recipe replay with their 400 steps.
  const recipe = patched('scratch-recipe');
  // Added after histories were recorded: warm starts before lever recipe 2 (same classes S/6 at 6e-3) replay with recipe 1's S/5 at 3e-3,
  // and those before recipe 3 (a CNN's own levers) with recipe 2. Literals, not the current recipe: a later
  // recipe takes a patch of its own, and histories under 3 keep 3.
  const leverRecipe: LeverRecipe = patched('lever-recipe-3') ? 3 : patched('lever-recipe-2') ? 2 : 1;
  const plan = planRefresh(recipe ? settings : legacyScratchSettings(settings), context.production?.classes ?? null, context.dataset, leverRecipe);
  const { attempts, fallback } = await trainAndGate(run, context, decision, { plan, recipe });
  const final = attempts.at(-1)!;
  const override = !final.record.gate.passed && input.overrides?.overrideGate ? input.overrides.overrideGate : null;
  const planned = promotionRequest(run, context, final, override);

  const scratchAttempt = attempts.find((a) => a.record.mode === 'scratch')?.record.training;
  const measured = scratchAttempt ? { datasetVersion: input.version, steps: scratchAttempt.steps, flops: scratchAttempt.flops, trainSeconds: scratchAttempt.wallSeconds } : null;
  const scratch = scratchCost(measured, context.lastScratch, plan.scratch);
  const entryFor: EntryFor = ({ status, promotion }) => finishedEntry(base, { status, decision, attempts: attempts.map((a) => a.record), fallback, promotion, scratchCost: scratch }, closeNow(run));
  const { status, entry, key } = patched(CONCLUDE_IN_ONE) ? await concludeInOne(run, final, planned, override, entryFor) : await promoteThenAudit(run, final, planned, override, entryFor);
  upsertSearchAttributes([{ key: PROMOTED, value: status === 'promoted' }, { key: COMPUTE_SECONDS, value: entry.compute.trainSeconds + entry.compute.evaluationSeconds }]);
  const accuracy = final.record.evaluation.candidate.combined?.accuracy ?? null;
  enterPhase('done', `${status} (${final.record.mode}) ${final.candidateId}, test accuracy ${((accuracy ?? 0) * 100).toFixed(2)}%`);
  const reasons = [...decision.reasons, ...(fallback ? [fallback] : []), ...final.record.gate.reasons, ...(override ? [`gate overridden by ${override.by}: ${override.reason}`] : [])];
  return { dataset: input.dataset, version: input.version, workflowId, status, mode: final.record.mode, candidateId: final.candidateId, accuracy, reasons, auditKey: key };
}

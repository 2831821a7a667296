import { ActivityFailure, ApplicationFailure, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RefreshActivities } from '../activities/index.js';
import type { AuditEntry } from '../src/audit/ledger.js';
import { gateCandidate } from '../src/evaluation/gate.js';
import { decideRefresh } from '../src/policy/decide.js';
import { resolveRefreshSettings } from '../src/refresh/settings.js';
import { candidateIdFor, type RefreshOutcome, type RefreshVersionInput } from './definitions.js';

// One proxy per timeout class.
const storage = proxyActivities<Pick<RefreshActivities, 'loadRefreshContext' | 'promoteCandidate' | 'recordAudit'>>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});
const training = proxyActivities<Pick<RefreshActivities, 'trainCandidate'>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 3, initialInterval: '5 seconds' },
});
const evaluation = proxyActivities<Pick<RefreshActivities, 'evaluateCandidate'>>({
  startToCloseTimeout: '30 minutes',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});

const BAD_DATASET = 'BadDataset';

function badDatasetMessage(error: unknown): string | null {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === BAD_DATASET) {
    return error.cause.message;
  }
  return null;
}

/**
 * Refreshes one model on one dataset version: load context -> decide -> train -> evaluate -> gate
 * -> promote or reject -> audit entry. A bad version is rejected and production left untouched.
 */
export async function refreshVersionWorkflow(input: RefreshVersionInput): Promise<RefreshOutcome> {
  const settings = resolveRefreshSettings(input.settings);
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const base = { model: input.model, dataset: input.dataset, datasetVersion: input.version, workflowId, startedAt };

  let context;
  try {
    context = await storage.loadRefreshContext({ model: input.model, dataset: input.dataset, version: input.version });
  } catch (error) {
    const rejection = badDatasetMessage(error);
    if (rejection === null) throw error;
    log.warn('dataset version rejected', { rejection });
    const entry: AuditEntry = {
      ...base,
      status: 'rejected',
      decision: { mode: 'none', reasons: ['dataset version failed validation'] },
      training: null,
      evaluation: null,
      gate: null,
      promotion: { outcome: 'not-attempted', detail: 'bad dataset version; production untouched' },
      rejection,
      finishedAt: new Date().toISOString(),
    };
    const { key } = await storage.recordAudit(entry);
    return { dataset: input.dataset, version: input.version, workflowId, status: 'rejected', mode: 'none', candidateId: null, accuracy: null, reasons: [rejection], auditKey: key };
  }

  const decision = decideRefresh(context.production, context.dataset, settings.modelSpec);
  const candidateId = candidateIdFor(workflowId);
  const trained = await training.trainCandidate({
    model: input.model,
    dataset: input.dataset,
    version: input.version,
    candidateId,
    mode: decision.mode,
    initFromPrefix: decision.mode === 'warm' ? (context.production?.candidatePrefix ?? null) : null,
    settings,
  });
  const evaluated = await evaluation.evaluateCandidate({
    dataset: input.dataset,
    version: input.version,
    candidatePrefix: trained.candidatePrefix,
    productionPrefix: context.production?.candidatePrefix ?? null,
  });
  const gate = gateCandidate(evaluated.candidate, evaluated.production, settings.gate);

  let promotion: { outcome: string; detail: string | null } = { outcome: 'not-attempted', detail: 'gate failed; production untouched' };
  let status: RefreshOutcome['status'] = 'rejected';
  if (gate.passed) {
    const result = await storage.promoteCandidate({
      expectedEtag: context.productionEtag,
      pointer: {
        model: input.model,
        candidateId,
        candidatePrefix: trained.candidatePrefix,
        dataset: input.dataset,
        datasetVersion: input.version,
        modelSpec: settings.modelSpec,
        classes: context.dataset.classes,
        featureShape: context.dataset.featureShape,
        testAccuracy: evaluated.candidate.accuracy,
        promotedBy: workflowId,
      },
    });
    status = result.outcome === 'superseded' ? 'superseded' : 'promoted';
    promotion = { outcome: result.outcome, detail: result.outcome === 'superseded' ? result.reason : null };
  }

  const entry: AuditEntry = {
    ...base,
    status,
    decision,
    training: {
      candidateId,
      backend: trained.backend,
      device: trained.device,
      steps: trained.steps,
      examples: trained.examples,
      flops: trained.flops,
      wallSeconds: trained.wallSeconds,
      finalLoss: trained.finalLoss,
      initializedFrom: decision.mode === 'warm' ? (context.production?.candidateId ?? null) : null,
    },
    evaluation: {
      testCount: evaluated.candidate.count,
      accuracy: evaluated.candidate.accuracy,
      oldAccuracy: evaluated.candidate.oldAccuracy,
      newAccuracy: evaluated.candidate.newAccuracy,
      productionAccuracy: evaluated.production?.accuracy ?? null,
      wallSeconds: evaluated.wallSeconds,
    },
    gate,
    promotion,
    rejection: null,
    finishedAt: new Date().toISOString(),
  };
  const { key } = await storage.recordAudit(entry);
  return {
    dataset: input.dataset,
    version: input.version,
    workflowId,
    status,
    mode: decision.mode,
    candidateId,
    accuracy: evaluated.candidate.accuracy,
    reasons: [...decision.reasons, ...gate.reasons],
    auditKey: key,
  };
}

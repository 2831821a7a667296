import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type {
  operatorRequestSchema,
  productionViewSchema,
  refreshOutcomeSchema,
  refreshOverridesSchema} from '../../src/contract/schemas.js';
import {
  CONTRACT_SCHEMAS,
  modelRefreshInputSchema,
  refreshVersionInputSchema,
  versionLandedSchema,
} from '../../src/contract/schemas.js';
import { contractJsonSchema, contractMarkdown } from '../../src/temporal/contract.js';
import type { ModelRefreshInput, OperatorRequest, ProductionView, RefreshOutcome, RefreshOverrides, VersionLanded } from '../../workflows/definitions.js';
import { TEST_SETTINGS } from '../helpers/refresh-harness.js';

const repo = path.resolve(import.meta.dirname, '../..');

// Compile-time: the schemas describe exactly the types the workflows use (tsc fails on drift).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<z.infer<typeof versionLandedSchema>, VersionLanded>,
  Same<z.infer<typeof operatorRequestSchema>, OperatorRequest>,
  Same<z.infer<typeof productionViewSchema>, ProductionView>,
  Same<z.infer<typeof refreshOutcomeSchema>, RefreshOutcome>,
  Same<z.infer<typeof refreshOverridesSchema>, RefreshOverrides>,
  Same<Pick<z.infer<typeof modelRefreshInputSchema>, 'model' | 'refreshesPerRun'>, Pick<ModelRefreshInput, 'model' | 'refreshesPerRun'>>,
] = [true, true, true, true, true, true];

function recordedInput(file: string): unknown {
  const history = JSON.parse(readFileSync(path.join(repo, 'test/replay/histories', file), 'utf8'));
  const payload = history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
}

describe('the workflow contract', () => {
  it('schemas and workflow types agree', () => {
    expect(agree.every(Boolean)).toBe(true);
  });

  it('accepts the inputs of recorded real runs and the test settings', () => {
    expect(modelRefreshInputSchema.safeParse(recordedInput('model-refresh.json')).error).toBeUndefined();
    expect(refreshVersionInputSchema.safeParse(recordedInput('refresh-version-warm.json')).error).toBeUndefined();
    expect(CONTRACT_SCHEMAS.RefreshSettingsInput.safeParse(TEST_SETTINGS).error).toBeUndefined();
  });

  it('refuses a signal payload without a positive integer version', () => {
    expect(versionLandedSchema.safeParse({ dataset: 'd', version: 0 }).success).toBe(false);
    expect(versionLandedSchema.safeParse({ dataset: 'd', version: '3' }).success).toBe(false);
  });

  it('docs/contract.md and docs/contract.schema.json are current (npm run contract)', () => {
    expect(readFileSync(path.join(repo, 'docs/contract.md'), 'utf8')).toBe(contractMarkdown());
    expect(JSON.parse(readFileSync(path.join(repo, 'docs/contract.schema.json'), 'utf8'))).toEqual(contractJsonSchema());
  });
});

import { patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { PHASE } from './search-attributes.js';

export type RefreshPhase = 'validating' | 'training' | 'evaluating' | 'promoting' | 'done' | 'rejected' | 'failed';

/**
 * Tells the UI and `temporal workflow list --query "WarmstartPhase='training'"` where the refresh is:
 * the current details (a line the Web UI shows) and the WarmstartPhase search attribute. The
 * attribute is a command, so refreshes started before it replay without it.
 */
export function enterPhase(phase: RefreshPhase, details: string): void {
  setCurrentDetails(details);
  if (patched('refresh-phase')) upsertSearchAttributes([{ key: PHASE, value: phase }]);
}

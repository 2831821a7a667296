import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Search attributes on every refresh, so `temporal workflow list --query` and the Web UI can filter:
 *   temporal workflow list --query "WarmstartModel='digits' AND WarmstartPromoted=false"
 * They must be registered on the namespace (infra/services.sh does it for the dev server; elsewhere:
 * `temporal operator search-attribute create --name WarmstartModel --type Keyword`, and so on).
 */
export const MODEL = defineSearchAttributeKey('WarmstartModel', 'KEYWORD');
export const DATASET = defineSearchAttributeKey('WarmstartDataset', 'KEYWORD');
export const VERSION = defineSearchAttributeKey('WarmstartVersion', 'INT');
export const DECISION = defineSearchAttributeKey('WarmstartDecision', 'KEYWORD');
export const PROMOTED = defineSearchAttributeKey('WarmstartPromoted', 'BOOL');
export const COMPUTE_SECONDS = defineSearchAttributeKey('WarmstartComputeSeconds', 'DOUBLE');
/** Where a refresh is: validating, training, evaluating, promoting, done, rejected or failed. */
export const PHASE = defineSearchAttributeKey('WarmstartPhase', 'KEYWORD');

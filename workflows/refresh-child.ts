import { ParentClosePolicy, WorkflowIdReusePolicy, type ChildWorkflowOptions } from '@temporalio/workflow';

type RefreshChildOptions = Omit<ChildWorkflowOptions, 'typeInfo'> & { args: [RefreshVersionInput] };
import type { RefreshVersionInput } from './definitions.js';
import { DATASET, MODEL, VERSION } from './search-attributes.js';

/**
 * How a version's refresh runs as a child, whoever starts it: under its idempotency key, refreshed
 * once (an operator replays it under another ID), outliving its parent, findable by search attributes.
 */
export function refreshChildOptions(workflowId: string, input: RefreshVersionInput): RefreshChildOptions {
  return {
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: MODEL, value: input.model },
      { key: DATASET, value: input.dataset },
      { key: VERSION, value: input.version },
    ],
  };
}

/**
 * Errors as data: every failure the user can fix carries a stable code, the thing at fault,
 * and a sentence saying how to fix it. The CLI prints `message` on one line and exits non-zero.
 */
export type WarmstartErrorCode =
  | 'CONFIG_INVALID'
  | 'STORE_UNREACHABLE'
  | 'STORE_NO_SUCH_BUCKET'
  | 'STORE_ACCESS_DENIED'
  | 'STORE_PRECONDITION_FAILED'
  | 'STORE_ERROR'
  | 'DATASET_INVALID'
  | 'DATASET_NOT_FOUND'
  | 'VERSION_EXISTS'
  | 'MODEL_NOT_FOUND'
  /** The model's refresh workflow refused an operator request (unknown candidate, a lost race, bad input). */
  | 'REQUEST_REJECTED'
  | 'TEMPORAL_UNREACHABLE'
  | 'LEDGER_CONFLICT'
  | 'LEDGER_BROKEN'
  | 'PRICES_INVALID';

export class WarmstartError extends Error {
  constructor(
    readonly code: WarmstartErrorCode,
    message: string,
    /** What the error is about: an environment variable, an object key, a manifest field. */
    readonly subject?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WarmstartError';
  }
}

export function isWarmstartError(error: unknown, code?: WarmstartErrorCode): error is WarmstartError {
  return error instanceof WarmstartError && (code === undefined || error.code === code);
}

/**
 * Types of the non-retryable ApplicationFailures activities raise and workflows branch on. Here, in a
 * pure module, so workflows need not import activity code to name them.
 */
export const FAILURE_TYPES = {
  badDataset: 'BadDataset',
  notFound: 'NotFound',
  /** A refused lever or architecture configuration. */
  badTrainingConfig: 'BadTrainingConfig',
} as const;

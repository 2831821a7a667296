import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, isWarmstartError } from '../src/errors.js';

export const BAD_DATASET = FAILURE_TYPES.badDataset;
export const NOT_FOUND = FAILURE_TYPES.notFound;

/**
 * Bad input is a business failure: retrying cannot fix a corrupt shard, so it is non-retryable
 * and typed. Everything else (network, server errors) propagates and Temporal retries it.
 */
export async function classifyFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isWarmstartError(error, 'DATASET_INVALID') || isWarmstartError(error, 'DATASET_NOT_FOUND')) {
      throw ApplicationFailure.create({ message: error.message, type: BAD_DATASET, nonRetryable: true, details: [{ code: error.code, subject: error.subject ?? null }] });
    }
    if (isWarmstartError(error, 'MODEL_NOT_FOUND')) {
      throw ApplicationFailure.create({ message: error.message, type: NOT_FOUND, nonRetryable: true, details: [{ code: error.code, subject: error.subject ?? null }] });
    }
    throw error;
  }
}

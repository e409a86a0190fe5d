import { JamaSyncError } from '../errors';
import type { Outcome } from './outcome';

/**
 * Maps an error from a Jama call or a sink to a record outcome. Throttling (429 or a limiter
 * wait) is not failure; an invalid request can never succeed; everything else may pass later.
 */
export function classify(error: unknown, signal?: AbortSignal): Outcome {
  if (signal?.aborted) return { type: 'deferred' };
  if (error instanceof JamaSyncError) {
    switch (error.code) {
      case 'JAMA_RATE_LIMITED':
      case 'LIMITER_WAIT': {
        const by = error.code === 'LIMITER_WAIT' ? 'limiter' : 'jama';
        const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
        return typeof retryAfterMs === 'number'
          ? { type: 'throttled', by, retryAfterMs }
          : { type: 'throttled', by };
      }
      case 'JAMA_VALIDATION':
      case 'JAMA_NOT_FOUND':
      case 'JOB_INVALID':
        return { type: 'rejected', reason: `${error.code}: ${error.message}` };
    }
  }
  return { type: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}

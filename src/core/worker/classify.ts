import { JamaUnavailableError } from '../circuit-breaker';
import { JamaSyncError, JobInvalidError } from '../errors';
import { JamaDateError, JamaNotFoundError, JamaRateLimitedError, JamaValidationError } from '../jama-errors';
import { LimiterWaitError } from '../ports/rate-limiter';
import type { Outcome } from './outcome';

/** Programming errors: retrying the same job runs the same code into the same wall. */
const BUGS = [RangeError, ReferenceError, SyntaxError, TypeError] as const;

/**
 * Maps an error from a Jama call or a sink to a record outcome. Throttling (429, a limiter wait or
 * an open circuit breaker) is not failure; an invalid request can never succeed, and neither can a
 * job that trips a bug in jama-sync (a stack overflow on a value nested 10,000 deep, say); every
 * other error — 5xx, garbage bodies, network, sinks — may pass later and is retried.
 */
export function classify(error: unknown, signal?: AbortSignal): Outcome {
  if (signal?.aborted) return { type: 'deferred' };
  if (error instanceof JamaRateLimitedError) return throttled('jama', error.retryAfterMs);
  if (error instanceof LimiterWaitError || error instanceof JamaUnavailableError)
    return throttled('limiter', error.retryAfterMs);
  if (
    error instanceof JamaValidationError ||
    error instanceof JamaNotFoundError ||
    error instanceof JamaDateError ||
    error instanceof JobInvalidError
  )
    return { type: 'rejected', reason: `${error.code}: ${error.message}` };
  if (error instanceof JamaSyncError) return { type: 'failed', error };
  if (isBug(error)) {
    return { type: 'rejected', reason: `BUG: ${error.name}: ${error.message}`.slice(0, 1000) };
  }
  return { type: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
}

/** A JavaScript engine error raised by jama-sync's own code (not an I/O error that reuses the class). */
function isBug(error: unknown): error is Error {
  if (!BUGS.some((type) => error instanceof type)) return false;
  const tagged = error as { code?: unknown; $metadata?: unknown };
  return tagged.code === undefined && tagged.$metadata === undefined;
}

function throttled(by: 'jama' | 'limiter', retryAfterMs: number | undefined): Outcome {
  return retryAfterMs === undefined ? { type: 'throttled', by } : { type: 'throttled', by, retryAfterMs };
}

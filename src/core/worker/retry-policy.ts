import type { JobMeta } from '../jobs';
import type { Outcome } from './outcome';

/** What the queue adapter must do with a record after its outcome is known. */
export type RecordAction =
  | { action: 'delete' }
  /** Leave it on the queue, invisible for `delaySeconds`, and report it in batchItemFailures. */
  | { action: 'retry-later'; delaySeconds: number }
  /** Re-send a copy carrying `meta` with `delaySeconds`, then delete the original. */
  | { action: 'resend'; delaySeconds: number; meta: JobMeta }
  /** Send to the dead-letter queue with `reason`, then delete the original. */
  | { action: 'dead-letter'; reason: string };

export interface RetryPolicyConfig {
  /** The queue's redrive maxReceiveCount; throttled records are re-sent before they reach it. */
  maxReceiveCount: number;
  /** Real failures allowed before a record is dead-lettered (once the outage budget is spent too). */
  maxFailures: number;
  /**
   * How long transient failures (outages, garbage bodies, sink errors) are retried, from a job's
   * first failure, before it may be dead-lettered: a realistic Jama maintenance window.
   * @default 0 (only `maxFailures` counts)
   */
  outageBudgetMs?: number;
  /** Epoch ms, for the outage budget. @default Date.now */
  now?: () => number;
  /** Delay before the n-th retry (0-based), already jittered. */
  delayMs(attempt: number): number;
  /** Delay for records the worker had no time to start. @default 1 s */
  deferredDelaySeconds?: number;
  /** Uniform numbers in [0, 1) that spread records waiting for the same limiter slot. @default Math.random */
  random?: () => number;
}

/** SQS accepts message delays up to 15 minutes. */
const MAX_SEND_DELAY_SECONDS = 900;

const seconds = (ms: number) => Math.min(MAX_SEND_DELAY_SECONDS, Math.max(0, Math.ceil(ms / 1000)));

/**
 * Decides a record's fate. Throttling is not failure: a record that met a 429 goes back with the
 * next backoff delay (or Retry-After, if longer) through its visibility timeout; one the limiter
 * turned away goes back until the limiter's next free slot. When its receive
 * count nears the redrive limit it is re-sent as a fresh message that carries its throttle count,
 * so the redrive policy never sees it. Real failures are counted in the message itself — each is
 * re-sent with `failures + 1` — because SQS receive counts cannot tell a failure from a throttle.
 */
export function decide(
  outcome: Outcome,
  receiveCount: number,
  meta: JobMeta,
  config: RetryPolicyConfig,
): RecordAction {
  switch (outcome.type) {
    case 'done':
      return { action: 'delete' };
    case 'rejected':
      return { action: 'dead-letter', reason: outcome.reason };
    case 'deferred':
      return handBack(receiveCount, meta, (config.deferredDelaySeconds ?? 1) * 1000, config, meta.throttles);
    case 'throttled': {
      // Every earlier receive of this copy ended in a hand-back: failures are always re-sent.
      const attempt = meta.throttles + receiveCount - 1;
      const delayMs =
        outcome.by === 'limiter'
          ? limiterDelayMs(outcome.retryAfterMs ?? config.delayMs(0), config.random ?? Math.random)
          : Math.max(config.delayMs(attempt), outcome.retryAfterMs ?? 0);
      return handBack(receiveCount, meta, delayMs, config, attempt + 1);
    }
    case 'failed': {
      const failures = meta.failures + 1;
      const lastError = describe(outcome.error);
      const now = (config.now ?? Date.now)();
      const firstFailureAt = meta.firstFailureAt ?? now;
      // Only transient errors get the outage budget; a refusal that retrying cannot fix (bad credentials) counts only.
      const budgetMs = isTransient(outcome.error) ? (config.outageBudgetMs ?? 0) : 0;
      if (failures >= config.maxFailures && now - firstFailureAt >= budgetMs) {
        const over = budgetMs > 0 ? ` over ${Math.round((now - firstFailureAt) / 1000)} s` : '';
        return { action: 'dead-letter', reason: `failed ${failures} times${over}; last error: ${lastError}` };
      }
      return {
        action: 'resend',
        delaySeconds: seconds(config.delayMs(failures - 1)),
        meta: { ...meta, failures, lastError, firstFailureAt },
      };
    }
  }
}

function handBack(
  receiveCount: number,
  meta: JobMeta,
  delayMs: number,
  config: RetryPolicyConfig,
  throttles: number,
): RecordAction {
  // Re-send one receive before the redrive policy would move the message to the DLQ.
  if (receiveCount >= config.maxReceiveCount - 1) {
    return { action: 'resend', delaySeconds: seconds(delayMs), meta: { ...meta, throttles } };
  }
  return { action: 'retry-later', delaySeconds: Math.ceil(delayMs / 1000) };
}

/**
 * A limiter "later" comes with the moment the environment's next slot is free; after a 429 the
 * limiter has already moved that moment out by the 3, 5, 8, 13 … s schedule for everyone. So the
 * record waits for that moment (spread by up to 20 % so waiting records do not return as a herd)
 * instead of escalating its own delay, which would leave the rate unused once Jama recovers.
 */
function limiterDelayMs(retryAfterMs: number, random: () => number): number {
  return retryAfterMs * (1 + 0.2 * random());
}

/** Errors jama-sync marks as not retryable (e.g. `JAMA_AUTH`) are not outages; anything else may be. */
function isTransient(error: Error): boolean {
  return (error as { retryable?: unknown }).retryable !== false;
}

function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const text = typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  return text.slice(0, 1000);
}

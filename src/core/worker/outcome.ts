/** What happened to one queue record in a batch. */
export type Outcome =
  /** Synced (or deliberately skipped, e.g. a stale write or a guarded push): delete the message. */
  | { type: 'done'; note?: string }
  /**
   * Jama's limit said "later": a 429 from Jama (`by: 'jama'`), or the shared limiter's next slot is
   * too far away or the environment's circuit breaker is open (`by: 'limiter'`). Try again after a
   * delay; never dead-letter.
   */
  | { type: 'throttled'; by: 'jama' | 'limiter'; retryAfterMs?: number }
  /** A real failure that may pass (5xx, network, timeout, sink error): counts toward the DLQ. */
  | { type: 'failed'; error: Error }
  /** The record can never succeed (malformed, rejected by Jama as invalid): dead-letter at once. */
  | { type: 'rejected'; reason: string }
  /** Not started before the worker's deadline: hand back with a short delay. */
  | { type: 'deferred' };

export const done: Outcome = { type: 'done' };
export const deferred: Outcome = { type: 'deferred' };

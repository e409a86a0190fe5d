import { JamaSyncError } from '../errors';
import type { Lane } from '../limiter/config';

export type { Lane } from '../limiter/config';

/**
 * The port every Jama call goes through. One logical limiter exists per Jama environment, shared
 * by every process (in AWS: one DynamoDB item), so together they never exceed the environment's limit.
 */
export interface RateLimiter {
  /**
   * Reserves the next call slot. Resolves when the caller may send its request (after waiting, if
   * the slot is within `maxWaitMs`); rejects with {@link LimiterWaitError} when the slot is further
   * away, so a Lambda can hand its job back to SQS instead of sleeping.
   */
  acquire(options?: AcquireOptions): Promise<void>;
  /**
   * Jama answered 429: cut the shared rate and move the next slot out. `sentAt` (the caller's clock)
   * is when the refused call went, from which the limiter may tell how much room the window had.
   */
  onThrottled(retryAfterMs?: number, sentAt?: number): Promise<void>;
}

export interface AcquireOptions {
  /** Longest wait accepted before giving up with {@link LimiterWaitError}. */
  maxWaitMs?: number | undefined;
  /**
   * `interactive` (the default: webhook pulls, pushes, deletes, operator requests) books the next
   * slot; `background` (reconciliation scans) waits, within `maxWaitMs`, until the timeline is
   * nearly free, so it takes only the slots interactive work leaves.
   */
  lane?: Lane | undefined;
  signal?: AbortSignal | undefined;
}

/** The limiter's next slot is too far away to wait for; come back in `retryAfterMs`. */
export class LimiterWaitError extends JamaSyncError {
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super('LIMITER_WAIT', `Next Jama call slot is ${Math.round(retryAfterMs)} ms away`);
    this.retryAfterMs = retryAfterMs;
  }
}

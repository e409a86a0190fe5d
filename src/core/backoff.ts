/**
 * Jama's recommended back-off after a 429: 3 s, 5 s, 8 s, 13 s, 21 s, 34 s, … — each step the sum of
 * the two before it. The sync worker uses it for SQS visibility delays; the rate limiter uses it to
 * pause the shared slot timeline when Jama sends no Retry-After.
 */

export interface BackoffOptions {
  /** Hard upper bound of the result, in ms. @default 900_000 (15 min, SQS's longest `DelaySeconds`) */
  capMs?: number;
  /**
   * Relative jitter: the delay is spread uniformly over ±`jitter` of the scheduled step, so that
   * callers throttled together do not come back together. @default 0.2
   */
  jitter?: number;
  /** Source of uniform numbers in [0, 1); inject a constant in tests. @default Math.random */
  random?: () => number;
}

export const DEFAULT_BACKOFF_CAP_MS = 900_000;
export const DEFAULT_BACKOFF_JITTER = 0.2;

const FIRST_STEPS_MS = [3_000, 5_000] as const;

/**
 * The raw schedule, without jitter or cap. `attempt` counts the retries before this one, from 0:
 * 0 → 3000 ms, 1 → 5000, 2 → 8000, 3 → 13000, 4 → 21000, 5 → 34000, …
 *
 * @example
 * backoffScheduleMs(5); // 34_000
 */
export function backoffScheduleMs(attempt: number): number {
  assertAttempt(attempt);
  let [previous, current]: [number, number] = [FIRST_STEPS_MS[0], FIRST_STEPS_MS[1]];
  if (attempt === 0) return previous;
  // Beyond ~70 steps the numbers pass Number.MAX_SAFE_INTEGER; every cap is hit long before that.
  for (let i = 1; i < Math.min(attempt, 70); i++) [previous, current] = [current, previous + current];
  return current;
}

/**
 * The delay before the next retry, given `attempt` retries so far (0 for the first): the scheduled
 * step, spread by ±`jitter`, and never above `capMs`. At the cap the jitter still spreads callers,
 * downwards only.
 *
 * @example
 * backoffDelayMs(0, { random: () => 0.5 }); // 3000
 * backoffDelayMs(8, { capMs: 60_000 }); // somewhere in 48_000…60_000
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const capMs = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const jitter = options.jitter ?? DEFAULT_BACKOFF_JITTER;
  const random = options.random ?? Math.random;
  if (!(Number.isFinite(capMs) && capMs >= 0)) {
    throw new RangeError(`Expected \`capMs\` to be a number ≥ 0, got \`${capMs}\``);
  }
  if (!(Number.isFinite(jitter) && jitter >= 0 && jitter < 1)) {
    throw new RangeError(`Expected \`jitter\` to be a number in [0, 1), got \`${jitter}\``);
  }
  const base = Math.min(capMs, backoffScheduleMs(attempt));
  const spread = base * jitter * (2 * random() - 1);
  return Math.min(capMs, Math.max(0, Math.round(base + spread)));
}

function assertAttempt(attempt: number): void {
  if (!(Number.isInteger(attempt) && attempt >= 0)) {
    throw new RangeError(`Expected \`attempt\` to be an integer ≥ 0, got \`${attempt}\``);
  }
}

import { type Clock, systemClock } from './clock';
import { ConfigError } from './errors';

/** How an adapter retries a call: how often, and how long it waits between tries. */
export interface RetryOptions {
  /** Attempts in all (the first included). */
  attempts?: number | undefined;
  /** Delay before the second attempt, doubled each time. @default 200 */
  retryDelayMs?: number | undefined;
  clock?: Clock | undefined;
}

/** A checked retry schedule. */
export interface RetrySchedule {
  readonly attempts: number;
  /** Waits before attempt `attempt` (0-based): nothing before the first, then 1, 2, 4 … × the delay. */
  pause(attempt: number): Promise<void>;
}

/**
 * The retry schedule of `options`, `defaultAttempts` when they name none; a count of attempts
 * that is not a whole number ≥ 1 is refused at construction.
 */
export function retrySchedule(options: RetryOptions, defaultAttempts: number): RetrySchedule {
  const attempts = options.attempts ?? defaultAttempts;
  const delayMs = options.retryDelayMs ?? 200;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ConfigError(`Expected \`attempts\` to be an integer ≥ 1, got \`${attempts}\``);
  }
  return {
    attempts,
    pause: async (attempt) => {
      if (attempt > 0) await clock.sleep(delayMs * 2 ** (attempt - 1));
    },
  };
}

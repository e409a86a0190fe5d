import type { Clock } from './clock';
import type { Lane, LimiterConfig } from './limiter-config';
import { LimiterWaitError } from './rate-limiter';

/**
 * Runs one reservation attempt (`attempt(maxWaitMs)`) in a lane. Interactive: one attempt, as
 * asked. Background: the attempt books only within `backgroundHorizonMs` (see `reserve`), so when
 * it is refused this sleeps until the timeline comes within the horizon and tries again, as long
 * as that stays within `maxWaitMs`; otherwise the refusal stands and the caller hands its work
 * back. Interactive acquires therefore always find the timeline at most the horizon ahead of them.
 *
 * @example
 * await acquireInLane((wait) => this.#acquireOnce(wait, 'background'), { clock, config, maxWaitMs: 2000, lane: 'background' });
 */
export async function acquireInLane<T>(
  attempt: (maxWaitMs: number) => Promise<T>,
  options: { clock: Clock; config: LimiterConfig; maxWaitMs: number; lane: Lane; signal?: AbortSignal },
): Promise<T> {
  const { clock, config, maxWaitMs, lane, signal } = options;
  if (lane !== 'background') return attempt(maxWaitMs);
  const until = clock.now() + maxWaitMs;
  for (;;) {
    try {
      return await attempt(Math.max(0, until - clock.now()));
    } catch (error) {
      if (!(error instanceof LimiterWaitError)) throw error;
      const sleepMs = Math.max(1, Math.ceil(error.retryAfterMs - config.backgroundHorizonMs));
      if (clock.now() + sleepMs > until) throw error;
      await clock.sleep(sleepMs, signal);
    }
  }
}

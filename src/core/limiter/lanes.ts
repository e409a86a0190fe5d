import type { Clock } from '../clock';
import { LimiterWaitError } from '../ports/rate-limiter';
import type { Lane, LimiterConfig } from './config';

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
  options: {
    clock: Clock;
    config: LimiterConfig;
    maxWaitMs: number;
    lane: Lane;
    signal?: AbortSignal;
    /** When the wait budget ends (default: now + `maxWaitMs`), for an acquire that queued first. */
    until?: number;
  },
): Promise<T> {
  const { clock, config, maxWaitMs, lane, signal } = options;
  if (lane !== 'background') return attempt(maxWaitMs);
  const until = options.until ?? clock.now() + maxWaitMs;
  if (until <= clock.now()) throw new LimiterWaitError(config.backgroundHorizonMs);
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

/**
 * Runs background acquires of one process one after another. Background work books at most
 * `backgroundHorizonMs` ahead, so a second background acquire of the same process could only race
 * the first for the same slot — costing a failed conditional write and a read — and lose. Queued,
 * each finds the timeline as the previous one left it. Interactive acquires never queue here.
 */
export class BackgroundQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(task, task);
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}

import type { Clock } from '../../src/core/clock';
import {
  effectiveMaxWaitMs,
  type LimiterConfig,
  type LimiterOptions,
  resolveLimiterConfig,
} from '../../src/core/limiter/config';
import {
  type AcquiredSlot,
  initialState,
  type LimiterState,
  onThrottled,
  reserve,
} from '../../src/core/limiter/gcra';
import { acquireInLane } from '../../src/core/limiter/lanes';
import { type AcquireOptions, LimiterWaitError, type RateLimiter } from '../../src/core/ports/rate-limiter';

export interface InMemoryRateLimiterOptions extends LimiterOptions {
  /** Source of time; a {@link FakeClock} in tests. */
  clock: Clock;
}

/**
 * The limiter arithmetic on a state held in this process: the same behaviour as the DynamoDB
 * limiter for a single process. Meant for unit tests of modules that take a {@link RateLimiter};
 * it does not limit across processes.
 *
 * @example
 * const clock = new FakeClock();
 * const limiter = new InMemoryRateLimiter({ clock });
 * await limiter.acquire(); // at once
 * await limiter.acquire(); // clock advanced by 111.112 ms (9/s)
 */
export class InMemoryRateLimiter implements RateLimiter {
  readonly config: LimiterConfig;
  readonly stats = { acquires: 0, refusals: 0, throttles: 0 };
  readonly #clock: Clock;
  #state: LimiterState | undefined;

  constructor(options: InMemoryRateLimiterOptions) {
    this.config = resolveLimiterConfig(options);
    this.#clock = options.clock;
  }

  /** The current shared state (created on first look). */
  get state(): LimiterState {
    this.#state ??= initialState(this.#clock.now(), this.config);
    return this.#state;
  }

  async acquire(options: AcquireOptions = {}): Promise<void> {
    await this.acquireSlot(options);
  }

  /** {@link acquire}, telling which slot was taken. */
  async acquireSlot(options: AcquireOptions = {}): Promise<AcquiredSlot> {
    options.signal?.throwIfAborted();
    const maxWaitMs = effectiveMaxWaitMs(options.maxWaitMs, this.config);
    const lane = options.lane ?? 'interactive';
    return acquireInLane((wait) => this.#acquireOnce(wait, lane, options.signal), {
      clock: this.#clock,
      config: this.config,
      maxWaitMs,
      lane,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async #acquireOnce(maxWaitMs: number, lane: AcquireOptions['lane'], signal?: AbortSignal) {
    const now = this.#clock.now();
    const r = reserve(this.state, now, this.config, maxWaitMs, lane);
    if (!r.granted) {
      this.stats.refusals++;
      throw new LimiterWaitError(r.waitMs);
    }
    this.#state = r.state;
    this.stats.acquires++;
    await this.#clock.sleep(Math.ceil(r.waitMs), signal);
    return { slotAt: r.slotAt, acquiredAt: this.#clock.now() };
  }

  async onThrottled(retryAfterMs?: number, sentAt?: number): Promise<void> {
    this.stats.throttles++;
    this.#state = onThrottled(this.state, this.#clock.now(), this.config, retryAfterMs, sentAt);
  }
}

import { type Clock, systemClock } from '../../core/clock';
import {
  effectiveMaxWaitMs,
  intervalMs,
  type LimiterConfig,
  resolveLimiterConfig,
} from '../../core/limiter/config';
import {
  type AcquiredSlot,
  initialState,
  type LimiterState,
  onThrottled,
  reserve,
} from '../../core/limiter/gcra';
import { acquireInLane, BackgroundQueue } from '../../core/limiter/lanes';
import {
  type AcquireOptions,
  type Lane,
  LimiterWaitError,
  type RateLimiter,
} from '../../core/ports/rate-limiter';

import { type ItemUpdate, type Stored, throttleWrite } from './item';
import {
  type DynamoDbLimiterStats,
  type DynamoDbRateLimiterOptions,
  validateAdapterOptions,
} from './options';
import { reservationWrite } from './reservation';
import { LimiterItemStore } from './store';

export type { DynamoDbLimiterStats, DynamoDbRateLimiterOptions };

/**
 * The shared limiter of one Jama environment, held in one DynamoDB item that every Lambda updates
 * with conditional writes. An acquire usually costs exactly one `UpdateItem` and no read: this
 * instance keeps the last state it saw and conditions the write on the item's `epoch` (which only
 * cuts and regain change) and on which side of `now` the next slot lies — while the timeline is
 * ahead of the clock, `SET tat = tat + :interval` succeeds for every acquirer however many race.
 * A failed condition costs one consistent `GetItem` (where the store returns the item with the
 * failure, as DynamoDB does via ReturnValuesOnConditionCheckFailure, not even that) and a retry.
 * An acquire that resolves more than `maxLatenessMs` after its slot forfeits it and takes another,
 * so the send-jitter margin of the ceiling holds by construction.
 *
 * @example
 * const limiter = new DynamoDbRateLimiter({ client, tableName: 'jama-sync-state', environment: 'acme' });
 * await limiter.acquire(); // throws LimiterWaitError if the slot is more than 2 s away
 * const res = await fetch(url);
 * if (res.status === 429) await limiter.onThrottled(retryAfterMs(res));
 */
export class DynamoDbRateLimiter implements RateLimiter {
  readonly config: LimiterConfig;
  readonly #store: LimiterItemStore;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #maxLatenessMs: number;
  readonly #counts = { acquires: 0, refusals: 0, throttles: 0, forfeits: 0 };
  /** The newest state seen; `tat` in it is a lower bound of the stored one. */
  #cache: Stored | undefined;
  /** The last reservation found the timeline ahead of the clock: guess it still is. */
  #contended = false;
  /** Set while the last read found an incomplete item. */
  #malformed: Error | undefined;
  /** This instance's background acquires, one at a time (see {@link BackgroundQueue}). */
  readonly #background = new BackgroundQueue();

  constructor(options: DynamoDbRateLimiterOptions) {
    const { maxAttempts, maxLatenessMs } = validateAdapterOptions(options);
    this.#maxLatenessMs = maxLatenessMs;
    this.config = resolveLimiterConfig(options);
    this.#store = new LimiterItemStore(options.client, options.tableName, options.environment);
    this.#clock = options.clock ?? systemClock;
    this.#maxAttempts = maxAttempts;
  }

  get stats(): Readonly<DynamoDbLimiterStats> {
    return { ...this.#counts, ...this.#store.counts };
  }

  async acquire(options: AcquireOptions = {}): Promise<void> {
    await this.acquireSlot(options);
  }

  /** {@link acquire}, telling which slot was taken. */
  async acquireSlot(options: AcquireOptions = {}): Promise<AcquiredSlot> {
    const { signal } = options;
    signal?.throwIfAborted();
    const maxWaitMs = effectiveMaxWaitMs(options.maxWaitMs, this.config);
    const lane = options.lane ?? 'interactive';
    const inLane = (until?: number) =>
      acquireInLane((wait) => this.#acquireOnce(wait, lane, signal), {
        clock: this.#clock,
        config: this.config,
        maxWaitMs,
        lane,
        ...(signal ? { signal } : {}),
        ...(until === undefined ? {} : { until }),
      });
    if (lane !== 'background') return inLane();
    const until = this.#clock.now() + maxWaitMs;
    return this.#background.run(() => inLane(until));
  }

  async #acquireOnce(maxWaitMs: number, lane: Lane, signal?: AbortSignal): Promise<AcquiredSlot> {
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const fresh = this.#cache === undefined;
      const cached = this.#cache ?? (await this.#read(signal));
      if (!cached) continue;
      const now = this.#clock.now();
      const r = reserve(cached.state, now, this.config, maxWaitMs, lane);
      if (!r.granted) {
        // The cached `tat` only bounds the wait from below (a 429 elsewhere may have paused the
        // timeline): read once so the caller learns when to come back.
        if (!fresh) {
          this.#cache = undefined;
          continue;
        }
        this.#counts.refusals++;
        // The timeline is far ahead: when this caller comes back, it most likely still is.
        this.#contended = true;
        throw new LimiterWaitError(r.waitMs);
      }
      const slotAt = await this.#writeReservation(cached, now, maxWaitMs, r.state, lane, signal);
      if (slotAt === undefined) continue;
      // Whole ms: Date.now() has no fraction, so a fractional wait could end just before the slot.
      await this.#clock.sleep(Math.ceil(slotAt - this.#clock.now()), signal);
      const acquiredAt = this.#clock.now();
      if (acquiredAt - slotAt > this.#maxLatenessMs) {
        // An unused slot is harmless to the limit; a late call would crowd the next one.
        this.#counts.forfeits++;
        continue;
      }
      this.#counts.acquires++;
      return { slotAt, acquiredAt };
    }
    throw this.#gaveUp();
  }

  async onThrottled(retryAfterMs?: number, sentAt?: number): Promise<void> {
    this.#counts.throttles++;
    // The room a 429 finds is counted from the slots taken up to the refused one (see
    // `capacityFound`): this instance's copy may predate another's reservation of it, so read.
    if (sentAt !== undefined) this.#cache = undefined;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const cached = this.#cache ?? (await this.#read());
      if (!cached) continue;
      const next = onThrottled(cached.state, this.#clock.now(), this.config, retryAfterMs, sentAt);
      const { update, condition } = throttleWrite(cached, next);
      if (await this.#write(update, condition)) return;
    }
    throw this.#gaveUp();
  }

  /** The stored state (a consistent read), or undefined if this environment's limiter was never used. */
  async readState(): Promise<LimiterState | undefined> {
    const stored = await this.#read();
    if (!stored) throw this.#malformed;
    return stored.epoch === 0 ? undefined : stored.state;
  }

  /** Writes the reservation `reserve` computed from `cached`; returns the slot, or undefined on a conflict. */
  async #writeReservation(
    cached: Stored,
    now: number,
    maxWaitMs: number,
    reserved: LimiterState,
    lane: Lane,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    const write = reservationWrite(cached, reserved, now, maxWaitMs, this.config, this.#contended, lane);
    const stored = await this.#write(write.update, write.condition, signal);
    if (!stored) return undefined;
    this.#contended = write.ahead;
    return write.slotAt(stored);
  }

  async #write(update: ItemUpdate, condition: string, signal?: AbortSignal): Promise<Stored | undefined> {
    const outcome = await this.#store.update(update, condition, signal);
    if (outcome.ok) {
      this.#remember(outcome.stored);
      return outcome.stored;
    }
    this.#cache = outcome.current;
    this.#contended = false;
    return undefined;
  }

  /** A consistent read into the cache; undefined (and `#malformed` set) if the item is incomplete. */
  async #read(signal?: AbortSignal): Promise<Stored | undefined> {
    const stored = await this.#store.read(signal);
    this.#malformed = stored instanceof Error ? stored : undefined;
    this.#cache =
      stored instanceof Error
        ? undefined
        : (stored ?? { epoch: 0, state: initialState(this.#clock.now(), this.config) });
    this.#contended = false;
    return this.#cache;
  }

  /** The error after `maxAttempts`: a persistently malformed item, or contention. */
  #gaveUp(): Error {
    if (this.#malformed) return this.#malformed;
    this.#counts.refusals++;
    return new LimiterWaitError(intervalMs(this.#cache?.state.rate ?? this.config.ceiling));
  }

  /** Keeps the newest state when concurrent acquires of this instance finish out of order. */
  #remember(stored: Stored): void {
    const cached = this.#cache;
    if (
      !cached ||
      stored.epoch > cached.epoch ||
      (stored.epoch === cached.epoch && stored.state.tat >= cached.state.tat)
    ) {
      this.#cache = stored;
    }
  }
}

import { backoffDelayMs } from './backoff';
import { intervalMs, type LimiterConfig } from './limiter-config';

/**
 * The shared state of one Jama environment's limiter (in AWS: one DynamoDB item). Times are ms
 * since the Unix epoch on the acquirers' clocks, which are assumed to agree within ±50 ms.
 */
export interface LimiterState {
  /** Theoretical arrival time: the earliest moment the next call may go (GCRA's TAT). Only ever grows. */
  tat: number;
  /** Calls per second currently allowed: cut by 429s, regained after clean periods, ≤ `ceiling`. */
  rate: number;
  /** The ceiling in force when the state was last written (for status displays). */
  ceiling: number;
  /** When the last 429 was reported, or null if never. */
  lastThrottleAt: number | null;
  /** 429s reported before this moment are echoes of the last cut: they do not cut again. */
  holdUntil: number;
  /** Cuts since the last clean period; picks the step of the 3, 5, 8, 13 … s pause. */
  streak: number;
  /** Start of the current clean period, from which regain is counted. */
  cleanSince: number;
}

/** The outcome of {@link reserve}. */
export interface Reservation {
  /** Whether the slot was taken; if not, `state` is the input, unchanged. */
  granted: boolean;
  /** The moment the call may go (ms, the reserving clock). */
  slotAt: number;
  /** `slotAt − now`: how long to wait for it; when refused, how long until it would be free. */
  waitMs: number;
  state: LimiterState;
}

/** The state of a limiter nobody has used yet: full rate, next slot free now. */
export function initialState(at: number, config: LimiterConfig): LimiterState {
  const now = roundUs(at);
  return {
    tat: now,
    rate: config.ceiling,
    ceiling: config.ceiling,
    lastThrottleAt: null,
    holdUntil: now,
    streak: 0,
    cleanSince: now,
  };
}

/**
 * Applies regain earned by clean periods up to `now`, lazily from timestamps (no timers): each
 * full `cleanPeriodMs` since `cleanSince` adds `regainStep`, up to the ceiling, and ends the streak
 * of cuts. Also applies a changed ceiling. Returns `state` itself when nothing changes, so callers
 * can tell whether the adaptive part (everything but `tat`) must be written.
 */
export function settle(state: LimiterState, now: number, config: LimiterConfig): LimiterState {
  let { rate, streak, cleanSince } = state;
  if (rate < config.ceiling || streak > 0) {
    const periods = Math.floor((now - cleanSince) / config.cleanPeriodMs);
    if (periods > 0) {
      rate = roundRate(rate + periods * config.regainStep);
      streak = 0;
      cleanSince = roundUs(cleanSince + periods * config.cleanPeriodMs);
    }
  }
  rate = Math.min(rate, config.ceiling);
  if (
    rate === state.rate &&
    streak === state.streak &&
    cleanSince === state.cleanSince &&
    config.ceiling === state.ceiling
  ) {
    return state;
  }
  return { ...state, rate, ceiling: config.ceiling, streak, cleanSince };
}

/**
 * Reserves the next slot (GCRA): the call may go at max(now, tat − τ) and the next one a spacing
 * of 1000/rate later, so calls are spread evenly and at most `burst` go back to back. A slot more
 * than `maxWaitMs` away is not taken: the state comes back unchanged and `waitMs` says when to
 * come back.
 *
 * @example
 * let state = initialState(clock.now(), config);
 * const r = reserve(state, clock.now(), config);
 * if (r.granted) { state = r.state; await clock.sleep(r.waitMs); }
 */
export function reserve(
  state: LimiterState,
  now: number,
  config: LimiterConfig,
  maxWaitMs = config.maxWaitMs,
): Reservation {
  const settled = settle(state, now, config);
  const slotAt = Math.max(now, settled.tat - config.toleranceMs);
  const waitMs = slotAt - now;
  if (waitMs > maxWaitMs) return { granted: false, slotAt, waitMs, state };
  const tat = roundUs(Math.max(now, settled.tat) + intervalMs(settled.rate));
  return { granted: true, slotAt, waitMs, state: { ...settled, tat } };
}

/**
 * Jama answered 429. The first 429 after a hold cuts the rate (× `cutFactor`, not below `floor`)
 * and pauses the timeline: no slot before now + Retry-After, or, without one, the next step of
 * 3, 5, 8, 13 … s (jittered, capped). 429s that arrive during the hold that follows — at least
 * `cutCooldownMs`, and until the pause ends — come from calls already in flight, so they do not
 * compound the cut; they still honour their Retry-After and restart the clean period.
 *
 * A `retryAfterMs` that is not a finite number ≥ 0 is treated as absent.
 */
export function onThrottled(
  state: LimiterState,
  now: number,
  config: LimiterConfig,
  retryAfterMs?: number,
): LimiterState {
  const settled = settle(state, now, config);
  const retryAfter =
    retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0
      ? retryAfterMs
      : undefined;
  if (now < settled.holdUntil) {
    const resumeAt = roundUs(now + (retryAfter ?? 0));
    return {
      ...settled,
      tat: Math.max(settled.tat, resumeAt),
      lastThrottleAt: now,
      cleanSince: Math.max(settled.cleanSince, resumeAt),
    };
  }
  const streak = settled.streak + 1;
  const pauseMs =
    retryAfter ??
    backoffDelayMs(streak - 1, {
      capMs: config.maxPauseMs,
      jitter: config.pauseJitter,
      random: config.random,
    });
  const resumeAt = roundUs(now + pauseMs);
  return {
    ...settled,
    tat: Math.max(settled.tat, resumeAt),
    rate: Math.max(config.floor, roundRate(settled.rate * config.cutFactor)),
    lastThrottleAt: now,
    holdUntil: Math.max(roundUs(now + config.cutCooldownMs), resumeAt),
    streak,
    // The clean period starts when calls resume, so a long pause does not count as clean traffic.
    cleanSince: resumeAt,
  };
}

/**
 * Stored times are whole microseconds: DynamoDB adds them as exact decimals, and every such value
 * (below year 2255) survives the trip through a double and back to the same string.
 */
export function roundUs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Rates are kept to 1/1000 call per second so stored items stay short and readable. */
function roundRate(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}

/** What an acquire got, for metrics and benchmarks (the port's `acquire` returns nothing). */
export interface AcquiredSlot {
  /** The reserved moment (ms, the acquirer's clock). */
  slotAt: number;
  /** When the acquire resolved (ms, the acquirer's clock); `acquiredAt − slotAt` is the send lateness. */
  acquiredAt: number;
}

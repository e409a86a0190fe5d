import { backoffDelayMs } from '../backoff';
import { type Lane, type LimiterConfig, laneIntervalMs, laneMaxWaitMs } from './config';
import { settle } from './regain';
import { type LimiterState, roundRate, roundUs } from './state';

export { kneePeriodsLeft, regain, settle } from './regain';
export { initialState, type LimiterState, roundUs } from './state';

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

/**
 * Reserves the next slot (GCRA): the call may go at max(now, tat − τ) and the next one a spacing
 * of 1000/rate later, so calls are spread evenly and at most `burst` go back to back. A slot further
 * away than {@link bookingHorizonMs} is not taken: the state comes back unchanged and `waitMs` says
 * when to come back. A `background` acquire books only while the timeline is within
 * `backgroundHorizonMs` of now, and takes 1 / `backgroundShare` of a slot; see {@link Lane}.
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
  lane: Lane = 'interactive',
): Reservation {
  const settled = settle(state, now, config);
  const slotAt = Math.max(now, settled.tat - config.toleranceMs);
  const waitMs = slotAt - now;
  if (waitMs > bookingHorizonMs(settled, now, config, laneMaxWaitMs(maxWaitMs, lane, config)))
    return { granted: false, slotAt, waitMs, state };
  const interval = laneIntervalMs(settled.rate, lane, config);
  const tat = roundUs(Math.max(now, settled.tat) + interval);
  // A whole slot went unused: the timeline was idle, and is busy again from now. Not any slot
  // passed: measured, that also caught brief gaps while work ramped up, so the room found was
  // too small (5/s for 6) and held for a minute; counted from an earlier start it is too large,
  // which costs one more 429 — then found exactly, within a second of the pause ending.
  const busySince = settled.tat < now - interval ? roundUs(now) : settled.busySince;
  return { granted: true, slotAt, waitMs, state: { ...settled, tat, busySince } };
}

/**
 * How far from `now` a caller may book in the `settled` state: `maxWaitMs`, except in the first
 * `resumeWindowMs` after a cut's pause (and during the pause), when no slot is booked more than
 * `resumeHorizonMs` past the end of the pause or now, whichever is later. A cut rate that is still
 * too high draws its 429 then, and every call booked beyond it could be another 429 (an echo); a
 * caller willing to wait out the pause still gets the first slots after it.
 */
export function bookingHorizonMs(
  settled: LimiterState,
  now: number,
  config: LimiterConfig,
  maxWaitMs: number,
): number {
  if (settled.streak === 0 || now >= settled.cleanSince + config.resumeWindowMs) return maxWaitMs;
  return Math.min(maxWaitMs, Math.max(0, settled.cleanSince - now) + config.resumeHorizonMs);
}

/**
 * Jama answered 429. The first 429 after a hold cuts the rate (× `cutFactor`, not below `floor`),
 * remembers the capacity it found as the knee (see `regain` in regain.ts), and pauses the
 * timeline: no slot before now + Retry-After, or, without one, the next step of 3, 5, 8, 13 … s
 * (jittered, capped). The knee is the rate it cut from, or, when the refused call was sent
 * (`sentAt`) less than a second after the timeline became busy, the calls made since then (see
 * {@link capacityFound}): that is what the environment's window had room for, so the cut goes
 * straight to `kneeMargin` × it instead of × `cutFactor` at a time through escalating pauses.
 * 429s that arrive during the hold that follows — at least `cutCooldownMs`, and until the pause
 * ends — come from calls already in flight, so they do not compound the cut; they still honour
 * their Retry-After and restart the clean period.
 *
 * A `retryAfterMs` that is not a finite number ≥ 0 is treated as absent.
 */
export function onThrottled(
  state: LimiterState,
  now: number,
  config: LimiterConfig,
  retryAfterMs?: number,
  sentAt?: number,
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
  const found = capacityFound(settled, sentAt);
  const cut = settled.rate * config.cutFactor;
  return {
    ...settled,
    tat: Math.max(settled.tat, resumeAt),
    rate: Math.max(
      config.floor,
      roundRate(found === undefined ? cut : Math.min(cut, found * config.kneeMargin)),
    ),
    lastThrottleAt: now,
    holdUntil: Math.max(roundUs(now + config.cutCooldownMs), resumeAt),
    streak,
    // The clean period starts when calls resume, so a long pause does not count as clean traffic.
    cleanSince: resumeAt,
    knee: found === undefined ? settled.rate : roundRate(Math.min(found, settled.rate)),
    kneeFound: found !== undefined,
  };
}

/**
 * What a 429 says about the room left in the environment's window, in calls per second, when the
 * refused call was sent (`sentAt`) within a second of the timeline becoming busy at an unchanged
 * rate (resuming after a cut's pause, or taking every slot again after an idle spell — see
 * `busySince`): the window that refused the call held (sentAt − that moment) × rate of ours, and
 * the rest belonged to another integration. Undefined when the call went a second or more after it
 * (the window holds only our own steady pace, which says nothing new) or when a regain step has
 * changed the rate since the last cut.
 *
 * @example capacityFound({ rate: 6.3, cleanSince: 10_000, holdUntil: 10_000, busySince: 9_000, … }, 10_480) // 3.024
 */
export function capacityFound(settled: LimiterState, sentAt: number | undefined): number | undefined {
  if (sentAt === undefined || settled.cleanSince !== settled.holdUntil) return undefined;
  const since = sentAt - Math.max(settled.cleanSince, settled.busySince);
  if (!(since >= 0 && since < 1000)) return undefined;
  return (since * settled.rate) / 1000;
}

/** What an acquire got, for metrics and benchmarks (the port's `acquire` returns nothing). */
export interface AcquiredSlot {
  /** The reserved moment (ms, the acquirer's clock). */
  slotAt: number;
  /** When the acquire resolved (ms, the acquirer's clock); `acquiredAt − slotAt` is the send lateness. */
  acquiredAt: number;
}

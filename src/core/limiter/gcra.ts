import { backoffDelayMs } from '../backoff';
import {
  inSlowStart,
  intervalMs,
  type Lane,
  type LimiterConfig,
  laneIntervalMs,
  laneMaxWaitMs,
  slotIntervalMs,
  slowStartIntervalMs,
} from './config';
import { settle } from './regain';
import { type LimiterState, roundRate, roundUs } from './state';

export { kneePeriodsLeft, regain, settle } from './regain';
export { initialState, type LimiterState, roundUs } from './state';

/** Jama counts calls in a sliding window of this length. */
const WINDOW_MS = 1000;

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
  // No call of ours in the last second (Jama's window): the count starts again from this one, so
  // a refused window's count of ours is exact (see `capacityFound`). Not from any unused slot:
  // measured, work ramping up leaves short gaps, and a count restarted at one missed the calls
  // before it that were still in the window (5/s found for 6).
  const restart = settled.tat <= countRestartTat(settled.rate, lane, now, config);
  const busySince = restart ? roundUs(now) : settled.busySince;
  const grants = restart ? 1 : settled.grants + 1;
  const interval = slotIntervalMs(settled.rate, lane, { busySince, streak: settled.streak }, slotAt, config);
  const tat = roundUs(Math.max(now, settled.tat) + interval);
  return { granted: true, slotAt, waitMs, state: { ...settled, tat, busySince, grants } };
}

/**
 * The latest `tat` at which a reservation at `now` restarts the count (`busySince`, `grants`): its
 * last slot, `tat` less a spacing, is a whole window (Jama's second) before `now`.
 */
export function countRestartTat(rate: number, lane: Lane, now: number, config: LimiterConfig): number {
  return roundUs(now - WINDOW_MS + laneIntervalMs(rate, lane, config));
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
 * (`sentAt`) less than a second after the timeline became busy, our calls counted in the window
 * that refused it (see {@link capacityFound}): that is what the environment's window had room for,
 * so the cut goes straight to `kneeMargin` × it instead of × `cutFactor` at a time through
 * escalating pauses; an echo of a call counted there lowers it by one (see `recounted`).
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
      ...recounted(settled, sentAt, config),
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
  const found = capacityFound(settled, sentAt, config);
  const cut = settled.rate * config.cutFactor;
  return {
    ...settled,
    tat: Math.max(settled.tat, resumeAt),
    // Counted from the pause's end: every slot booked before it was sent before it.
    busySince: resumeAt,
    grants: 0,
    rate: Math.max(config.floor, roundRate(found === undefined ? cut : found * config.kneeMargin)),
    lastThrottleAt: now,
    holdUntil: Math.max(roundUs(now + config.cutCooldownMs), resumeAt),
    streak,
    // The clean period starts when calls resume, so a long pause does not count as clean traffic.
    cleanSince: resumeAt,
    knee: found === undefined ? settled.rate : roundRate(Math.min(found, settled.rate)),
    kneeFound: found !== undefined,
    foundAt: found === undefined ? null : (sentAt ?? null),
  };
}

/**
 * The knee and rate after an echo 429 for a call sent in the second before the one whose 429
 * counted the knee (`foundAt`): that call was counted as ours in the refused window, but the window
 * had refused it too, so the room was one call less. Measured in the model, answers overtake each
 * other (latency varies by more than a slot), and the first 429 to arrive counted 7 where the
 * window had room for 6.
 */
function recounted(
  settled: LimiterState,
  sentAt: number | undefined,
  config: LimiterConfig,
): Pick<LimiterState, 'knee' | 'rate'> {
  const { knee, foundAt, rate } = settled;
  if (knee === null || foundAt === null || sentAt === undefined) return { knee, rate };
  if (!(sentAt < foundAt && sentAt > foundAt - WINDOW_MS)) return { knee, rate };
  const lower = Math.max(0, roundRate(knee - 1));
  return { knee: lower, rate: Math.max(config.floor, Math.min(rate, roundRate(lower * config.kneeMargin))) };
}

/**
 * What a 429 says about the room left in the environment's window, in calls per second, when the
 * refused call was sent (`sentAt`) within a second of the timeline becoming busy — resuming after a
 * cut's pause, or taking a slot after a second without one (see `busySince`): the window that
 * refused it held every call of ours counted since then, and the rest belonged to another
 * integration. `grants` slots were reserved since `busySince`; those after `sentAt` (the timeline
 * ahead of it, one per interval) and the refused call itself were not in the window. Counted, not
 * estimated from the time elapsed: measured, work ramping up after a start or a pause leaves short
 * gaps, and the estimate found 6.9/s where the window had room for 6.
 *
 * Undefined when the call went a second or more after the timeline became busy (the window holds
 * only our own steady pace, which says nothing new), when nothing was counted (items written before
 * `grants` existed), or when not one call of ours was in the window (a neighbour's burst, not a room
 * we can measure).
 *
 * @example capacityFound({ rate: 6, tat: 11_000, busySince: 10_000, grants: 7, … }, 10_840, config) // 6
 */
export function capacityFound(
  settled: LimiterState,
  sentAt: number | undefined,
  config: LimiterConfig,
): number | undefined {
  if (sentAt === undefined || settled.grants === 0) return undefined;
  const since = sentAt - settled.busySince;
  if (!(since >= 0 && since < WINDOW_MS)) return undefined;
  // Our slots booked after the refused call: back from the last one, at the spacing each took —
  // the slow start's for a slot inside it (see `slotIntervalMs`).
  const tol = config.toleranceMs;
  const plain = intervalMs(settled.rate);
  const wide = slowStartIntervalMs(plain, config);
  const previousTat = (tat: number) =>
    inSlowStart(settled, tat - wide - tol, config) ? tat - wide : tat - plain;
  let after = 0;
  for (let t = previousTat(settled.tat); t - tol > sentAt && after < settled.grants; t = previousTat(t))
    after++;
  const calls = settled.grants - after - 1;
  return calls >= 1 ? calls : undefined;
}

/** What an acquire got, for metrics and benchmarks (the port's `acquire` returns nothing). */
export interface AcquiredSlot {
  /** The reserved moment (ms, the acquirer's clock). */
  slotAt: number;
  /** When the acquire resolved (ms, the acquirer's clock); `acquiredAt − slotAt` is the send lateness. */
  acquiredAt: number;
}

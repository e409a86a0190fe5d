import { ConfigError } from '../errors';
import type { LimiterState } from './state';

/**
 * Assumed worst offset of any acquirer's clock from true time. Lambda hosts sync to the Amazon
 * Time Sync Service (chrony), normally well under 1 ms off; 50 ms is a deliberately loose bound.
 * Two acquirers may then disagree by 2 × 50 = 100 ms, and since each slot's true time is its
 * reserving clock's reading minus that clock's offset, calls reserved by different acquirers can
 * land up to 100 ms closer together than their spacing on the shared timeline.
 */
export const MAX_CLOCK_SKEW_MS = 50;

/**
 * Allowance for when a call actually goes versus its reserved slot: timer lateness, event-loop
 * delay, and the conditional write returning after an already-due slot. The DynamoDB limiter
 * enforces it (`maxLatenessMs`: a later acquire forfeits its slot and takes another), so it is a
 * bound, not a hope. Measured with `bench/limiter.ts` and the integration test (dynalite and
 * moto_server, one process, real clock), acquire-resolved minus reserved slot:
 *
 * | run | p50 | p99 | max |
 * |---|---|---|---|
 * | 8 workers × 20 s, saturated (dynalite) | 1.0 ms | 2.1–4.8 ms | 5.1–6.1 ms |
 * | 2 workers, 300 ms per call, mostly idle slots (dynalite) | 3 ms | 8 ms | 8 ms |
 * | 32 workers, 4× over-demand (dynalite) | 1.0 ms | 6.8 ms | 10 ms |
 * | 8 instances × 200 acquires (moto_server) | 0.9 ms | — | 3.8 ms |
 *
 * Before enforcement the first write on a cold connection came back 26 ms (dynalite) to 146 ms
 * (moto_server) after its slot; those are the slots now forfeited (≈ 1 per instance start).
 * Network jitter between the send and Jama's clock is not covered by this number: in AWS, where
 * real skew is ≪ 50 ms, the unused part of the skew allowance (≈ 100 ms) absorbs it.
 */
export const SEND_JITTER_MS = 11;

/** Total displacement the default ceiling tolerates: 2 × {@link MAX_CLOCK_SKEW_MS} + {@link SEND_JITTER_MS}. */
export const JITTER_BUDGET_MS = 2 * MAX_CLOCK_SKEW_MS + SEND_JITTER_MS;

/**
 * The highest rate at which `limit` still holds in every 1000 ms window when each call may be
 * displaced by up to `jitterMs` relative to the others and `burst` calls may go back to back.
 *
 * Slots sit at least s = 1000/rate apart on the shared timeline and a burst tolerance of
 * τ = (burst − 1)·s pulls one slot earlier by at most τ, so any limit+1 consecutive slots span at
 * least limit·s − τ = (limit − burst + 1)·s; displacement shrinks that by at most `jitterMs`. The
 * window holds at most `limit` calls while (limit − burst + 1)·s − jitterMs ≥ 1000, that is
 * rate ≤ 1000·(limit − burst + 1)/(1000 + jitterMs). Put the other way: a 1000 ms window at
 * spacing s with displacement ε holds at most ⌊(1000 + ε)/s⌋ + 1 calls; at the default 9/s
 * (s = 111.112 ms) and ε = 111 ms that is ⌊1111/111.112⌋ + 1 = 10, while 9.5/s would allow 11.
 *
 * @example
 * safeCeiling(10, 111); // 9.0009 — the default ceiling at Jama's 10/s
 * safeCeiling(10, 100); // 9.0909
 * safeCeiling(10, 0); //   10
 */
export function safeCeiling(limit: number, jitterMs: number, burst = 1): number {
  return (1000 * (limit - burst + 1)) / (1000 + jitterMs);
}

/** Options shared by every {@link RateLimiter} implementation. */
export interface LimiterOptions {
  /** The environment's limit in calls per second (Jama: 10, shared by every integration). @default 10 */
  limit?: number;
  /**
   * Highest rate the limiter ever uses, in calls per second: the limit minus a safety margin for
   * clock skew and send jitter, {@link safeCeiling}(limit, {@link JITTER_BUDGET_MS}, burst) rounded
   * down to 0.1. @default 9 (for limit 10, burst 1)
   */
  ceiling?: number;
  /** Calls that may go back to back after an idle spell; 1 means evenly spaced, no bursts. @default 1 */
  burst?: number;
  /** Longest wait for a slot before {@link LimiterWaitError}; each acquire may override it. @default 2000 */
  maxWaitMs?: number;
  /** Lowest rate 429s can cut to, in calls per second. @default 0.5 (or the ceiling, if lower) */
  floor?: number;
  /** Factor a 429 multiplies the rate by. @default 0.7 */
  cutFactor?: number;
  /** 429s this soon after a cut are echoes of calls already in flight and do not cut again. @default 1000 */
  cutCooldownMs?: number;
  /**
   * A stretch without any 429 after which the rate regains (see `regain` in regain.ts).
   * Short, so that the rate follows a neighbour whose load falls within seconds. @default 2000
   */
  cleanPeriodMs?: number;
  /** Calls per second regained per clean period without a knee, at least, up to the ceiling. @default 0.5 */
  regainStep?: number;
  /**
   * Factor the rate grows by per clean period without a knee, when that is more than
   * {@link LimiterOptions.regainStep}: from 2/s back to 9/s in about 7 periods. @default 1.25
   */
  regainFactor?: number;
  /**
   * Where quick regain after a cut stops, as a fraction of the knee (the room a 429 found, or the
   * rate that drew it); there the rate holds (or climbs by {@link LimiterOptions.probeStep} per
   * period) until {@link LimiterOptions.kneeTtlMs} has passed, which forgets the knee. A rate just
   * under the room left still draws 429s from send jitter: the margin is the jitter budget's,
   * 1000 / (1000 + {@link JITTER_BUDGET_MS}) ≈ 0.9, as for the ceiling. @default 0.9
   */
  kneeMargin?: number;
  /**
   * Calls per second added per clean period in the band from `kneeMargin` × knee to the knee, when
   * the knee is the rate that drew a 429 (an upper bound of the room left); at most `regainStep`.
   * Under a knee that is the room a 429 found the rate always holds. 0, the default, holds under
   * every knee: measured with `npm run bench:limiter-model` (120 s, 10 seeds), probing at 0.05
   * gave 0.82 of the room beside a steady 4/s and 0.76 beside 8/s, holding 0.84 and 0.85, with
   * fewer 429s (each costs a 3 s pause for everyone). @default 0
   */
  probeStep?: number;
  /**
   * How long a knee is remembered after the 429 that set it: after that the rate grows quickly
   * again, so it follows a neighbour whose load has fallen (the next 429 sets a new knee). Shorter
   * follows a changing neighbour sooner but probes a steady one more often (measured: 20 s drew
   * 5 % 429s beside a steady 4/s neighbour). @default 60_000
   */
  kneeTtlMs?: number;
  /**
   * The fraction of the rate background work (reconciliation scans) may use on its own: each
   * background call takes 1 / share of a slot, leaving the rest to other integrations of the
   * environment that cannot stand a 429. 1 (the default) lets an idle environment reconcile at
   * the full rate. @default 1
   */
  backgroundShare?: number;
  /**
   * A background acquire books a slot only while the timeline is at most this far ahead of now;
   * interactive acquires book up to their `maxWaitMs`. So background work takes every slot
   * interactive work leaves, and an interactive call waits at most this long (plus one spacing)
   * because of it. @default 150
   */
  backgroundHorizonMs?: number;
  /**
   * In the first {@link LimiterOptions.resumeWindowMs} after a cut's pause, slots are booked at most
   * this far past the end of the pause (or now), whatever `maxWaitMs` allows, so that few calls are
   * already committed if the cut rate still draws 429s. @default 1000
   */
  resumeHorizonMs?: number;
  /**
   * How long after a cut's pause {@link LimiterOptions.resumeHorizonMs} applies: a cut rate still
   * above what is left draws its next 429 within the first few 1 s windows. @default 3000
   */
  resumeWindowMs?: number;
  /**
   * For this long after our timeline turns busy from idle (no slot of ours in Jama's last second,
   * and no cut being recovered from), slots are spaced 1 / {@link LimiterOptions.slowStartFactor}
   * wider. A call that starts a process or a connection reaches Jama later than its slot (measured:
   * 30–110 ms while a local runtime starts; a new Lambda also pays its TLS handshake), and one more
   * than limit × 1000 / ceiling − 1000 ms late (111 ms at the defaults) lands in one second with
   * the `limit` calls after it: a 429, and a 3 s pause for everyone. Wider spacing while such calls
   * are likely absorbs it (at 0.8: up to 389 ms late), for about slowStartMs × (1 − factor) × rate calls
   * per busy spell (3.6 at 9/s). @default 2000
   */
  slowStartMs?: number;
  /** The rate during {@link LimiterOptions.slowStartMs}, as a fraction of the rate in force. @default 0.8 */
  slowStartFactor?: number;
  /** Cap of the pause a 429 without Retry-After imposes (3, 5, 8, 13 … s). @default 60_000 */
  maxPauseMs?: number;
  /** Relative jitter of that pause. @default 0.2 */
  pauseJitter?: number;
  /** Uniform numbers in [0, 1) for jitter; inject a constant in tests. @default Math.random */
  random?: () => number;
}

/** {@link LimiterOptions} validated, with every default filled in. */
export type LimiterConfig = Readonly<Required<LimiterOptions>> & {
  /** Burst tolerance τ in ms, fixed at the ceiling's spacing so that cuts never widen a burst. */
  readonly toleranceMs: number;
};

/** Validates `options` up front and fills in defaults; throws {@link ConfigError} naming the option. */
export function resolveLimiterConfig(options: LimiterOptions = {}): LimiterConfig {
  const limit = check('limit', options.limit ?? 10, (n) => n > 0, 'a number > 0');
  const burst = check(
    'burst',
    options.burst ?? 1,
    (n) => Number.isInteger(n) && n >= 1 && n <= limit,
    `an integer in [1, ${limit}]`,
  );
  const ceiling = check(
    'ceiling',
    options.ceiling ?? Math.floor(safeCeiling(limit, JITTER_BUDGET_MS, burst) * 10) / 10,
    (n) => n > 0 && n <= limit,
    `a number in (0, ${limit}] (the limit)`,
  );
  const floor = check(
    'floor',
    options.floor ?? Math.min(0.5, ceiling),
    (n) => n > 0 && n <= ceiling,
    `a number in (0, ${ceiling}] (the ceiling)`,
  );
  const regainStep = check('regainStep', options.regainStep ?? 0.5, (n) => n > 0, 'a number > 0');
  const positive = (name: keyof LimiterOptions, fallback: number) =>
    check(name, options[name] ?? fallback, (n) => n > 0, 'a number > 0');
  const random = options.random ?? Math.random;
  if (typeof random !== 'function')
    throw new ConfigError(`Expected \`random\` to be a function, got \`${String(random)}\``);
  return Object.freeze({
    limit,
    burst,
    ceiling,
    floor,
    maxWaitMs: check('maxWaitMs', options.maxWaitMs ?? 2000, (n) => n >= 0, 'a number ≥ 0'),
    cutFactor: check('cutFactor', options.cutFactor ?? 0.7, (n) => n > 0 && n < 1, 'a number in (0, 1)'),
    cutCooldownMs: check('cutCooldownMs', options.cutCooldownMs ?? 1000, (n) => n >= 0, 'a number ≥ 0'),
    cleanPeriodMs: positive('cleanPeriodMs', 2000),
    regainStep,
    regainFactor: check('regainFactor', options.regainFactor ?? 1.25, (n) => n >= 1, 'a number ≥ 1'),
    kneeTtlMs: positive('kneeTtlMs', 60_000),
    backgroundShare: check(
      'backgroundShare',
      options.backgroundShare ?? 1,
      (n) => n > 0 && n <= 1,
      'a number in (0, 1]',
    ),
    backgroundHorizonMs: check(
      'backgroundHorizonMs',
      options.backgroundHorizonMs ?? 150,
      (n) => n >= 0,
      'a number ≥ 0',
    ),
    kneeMargin: check('kneeMargin', options.kneeMargin ?? 0.9, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    probeStep: check(
      'probeStep',
      options.probeStep ?? 0,
      (n) => n >= 0 && n <= regainStep,
      `a number in [0, ${regainStep}] (the regain step)`,
    ),
    resumeHorizonMs: check('resumeHorizonMs', options.resumeHorizonMs ?? 1000, (n) => n >= 0, 'a number ≥ 0'),
    resumeWindowMs: check('resumeWindowMs', options.resumeWindowMs ?? 3000, (n) => n >= 0, 'a number ≥ 0'),
    slowStartMs: check('slowStartMs', options.slowStartMs ?? 2000, (n) => n >= 0, 'a number ≥ 0'),
    slowStartFactor: check(
      'slowStartFactor',
      options.slowStartFactor ?? 0.8,
      (n) => n > 0 && n <= 1,
      'a number in (0, 1]',
    ),
    maxPauseMs: check('maxPauseMs', options.maxPauseMs ?? 60_000, (n) => n >= 0, 'a number ≥ 0'),
    pauseJitter: check(
      'pauseJitter',
      options.pauseJitter ?? 0.2,
      (n) => n >= 0 && n < 1,
      'a number in [0, 1)',
    ),
    random,
    toleranceMs: (burst - 1) * intervalMs(ceiling),
  });
}

/** Which of the limiter's two lanes an acquire uses (see {@link LimiterOptions.backgroundHorizonMs}). */
export type Lane = 'interactive' | 'background';

/**
 * Spacing a call of `lane` takes on the timeline at `rate`: one slot for interactive work, 1 /
 * `backgroundShare` slots for background work.
 */
export function laneIntervalMs(rate: number, lane: Lane, config: LimiterConfig): number {
  return lane === 'background' ? intervalMs(rate * config.backgroundShare) : intervalMs(rate);
}

/**
 * The spacing a slot at `slotAt` takes: {@link laneIntervalMs}, widened by 1 / `slowStartFactor`
 * in the slow start — the first `slowStartMs` after `busySince`, unless a cut is being recovered
 * from (`streak` > 0: its own resume rules apply, and the room a 429 counts there must not shrink).
 */
export function slotIntervalMs(
  rate: number,
  lane: Lane,
  state: Pick<LimiterState, 'busySince' | 'streak'>,
  slotAt: number,
  config: LimiterConfig,
): number {
  const interval = laneIntervalMs(rate, lane, config);
  return inSlowStart(state, slotAt, config) ? slowStartIntervalMs(interval, config) : interval;
}

/** `interval` widened by 1 / `slowStartFactor`, rounded up to whole microseconds as {@link intervalMs} is. */
export function slowStartIntervalMs(
  interval: number,
  config: Pick<LimiterConfig, 'slowStartFactor'>,
): number {
  return Math.ceil((interval * 1000) / config.slowStartFactor) / 1000;
}

/** Whether a slot at `slotAt` is in the slow start of `state`'s busy spell (see {@link slotIntervalMs}). */
export function inSlowStart(
  state: Pick<LimiterState, 'busySince' | 'streak'>,
  slotAt: number,
  config: Pick<LimiterConfig, 'slowStartMs' | 'slowStartFactor'>,
): boolean {
  return config.slowStartFactor < 1 && state.streak === 0 && slotAt < state.busySince + config.slowStartMs;
}

/** The booking horizon a lane asks for: background work never books further than `backgroundHorizonMs`. */
export function laneMaxWaitMs(maxWaitMs: number, lane: Lane, config: LimiterConfig): number {
  return lane === 'background' ? Math.min(maxWaitMs, config.backgroundHorizonMs) : maxWaitMs;
}

/**
 * Spacing between slots at `rate` calls per second, rounded up to whole microseconds so stored
 * times stay short decimals and rounding never packs calls closer than 1000/rate.
 */
export function intervalMs(rate: number): number {
  return Math.ceil(1e6 / rate) / 1000;
}

function check(name: string, value: unknown, ok: (n: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ConfigError(`Expected \`${name}\` to be ${expected}, got \`${String(value)}\``);
  }
  return value;
}

/** The per-call `maxWaitMs` of an acquire, or the configured one; throws RangeError if invalid. */
export function effectiveMaxWaitMs(perCall: number | undefined, config: LimiterConfig): number {
  if (perCall === undefined) return config.maxWaitMs;
  if (!(typeof perCall === 'number' && perCall >= 0 && !Number.isNaN(perCall))) {
    throw new RangeError(`Expected \`maxWaitMs\` to be a number ≥ 0, got \`${String(perCall)}\``);
  }
  return perCall;
}

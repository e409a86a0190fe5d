import type { LimiterConfig } from './config';
import { type LimiterState, roundRate, roundUs } from './state';

/** Beyond this many clean periods the rate is at the ceiling whatever it started from. */
const MAX_STEPS = 1000;

/**
 * Applies regain earned by clean periods up to `now`, lazily from timestamps (no timers), and ends
 * the streak of cuts once a period has passed. Also applies a changed ceiling. Returns `state`
 * itself when nothing changes, so callers can tell whether the adaptive part (everything but
 * `tat`) must be written. See {@link regain} for the steps.
 */
export function settle(state: LimiterState, now: number, config: LimiterConfig): LimiterState {
  let { rate, streak, cleanSince, knee } = state;
  if (rate < config.ceiling || streak > 0 || knee !== null) {
    const periods = Math.floor((now - cleanSince) / config.cleanPeriodMs);
    if (periods > 0) {
      // A knee the 429 found is held under; only a knee that bounds the room is probed towards.
      const probeStep = state.kneeFound ? 0 : config.probeStep;
      ({ rate, knee } = regain(
        rate,
        knee,
        periods,
        { ...config, probeStep },
        kneePeriodsLeft(state, config),
      ));
      streak = 0;
      cleanSince = roundUs(cleanSince + periods * config.cleanPeriodMs);
    }
  }
  rate = Math.min(rate, config.ceiling);
  if (
    rate === state.rate &&
    streak === state.streak &&
    cleanSince === state.cleanSince &&
    knee === state.knee &&
    config.ceiling === state.ceiling
  ) {
    return state;
  }
  return {
    ...state,
    rate,
    ceiling: config.ceiling,
    streak,
    cleanSince,
    knee,
    kneeFound: knee !== null && state.kneeFound,
  };
}

/**
 * How many of the clean periods counted from `state.cleanSince` still remember the knee: it is
 * forgotten `kneeTtlMs` after the 429 that set it, so a neighbour that has gone quiet is noticed
 * within a minute, not after a slow probe through the band under the old knee.
 */
export function kneePeriodsLeft(state: LimiterState, config: LimiterConfig): number {
  if (state.knee === null || state.lastThrottleAt === null) return Number.POSITIVE_INFINITY;
  const forgetAt = state.lastThrottleAt + config.kneeTtlMs;
  return Math.max(0, Math.floor((forgetAt - state.cleanSince) / config.cleanPeriodMs));
}

/**
 * The rate after `periods` clean periods, and the knee still remembered; the knee is forgotten
 * after `kneeLeft` periods whatever happens. Each period:
 *
 * - with a knee and the rate under `kneeMargin` × knee: `regainStep` more, up to `kneeMargin` ×
 *   knee, just under the rate that drew the 429 (stepping, not jumping there: measured, a jump
 *   right after a cut drew 5 % 429s beside a neighbour at 4/s, steps 2.3 %);
 * - with a knee and the rate in the band up to it: `probeStep` more (by default none: the rate holds
 *   at `kneeMargin` × knee, as a probe into the band could win at most 10 % and a 429 there costs a
 *   3 s pause), and never when the knee is the room a 429 found (`kneeFound`, see `capacityFound`
 *   in gcra.ts); a whole period spent above the knee (the load that caused the 429 has gone)
 *   forgets it;
 * - without a knee: `regainStep` more, or × `regainFactor`, whichever is more, up to the ceiling.
 *
 * Reaching the ceiling forgets the knee too: there is nothing left to probe.
 *
 * @example
 * // knee 6.3 (margin 0.9 → 5.67), probe 0.05, from 4.41: 4.91, 5.41, 5.67, 5.72 … 6.32, then forgotten: 7.9, 9
 */
export function regain(
  rate: number,
  knee: number | null,
  periods: number,
  config: LimiterConfig,
  kneeLeft = Number.POSITIVE_INFINITY,
): { rate: number; knee: number | null } {
  const steps = Math.min(periods, MAX_STEPS);
  for (let i = 0; i < steps && rate < config.ceiling; i++) {
    if (knee !== null && i >= kneeLeft) knee = null;
    if (knee === null) {
      rate = roundRate(Math.max(rate + config.regainStep, rate * config.regainFactor));
    } else if (rate < roundRate(knee * config.kneeMargin)) {
      rate = Math.min(roundRate(knee * config.kneeMargin), roundRate(rate + config.regainStep));
    } else if (rate <= knee) {
      rate = roundRate(rate + config.probeStep);
    } else {
      knee = null;
      rate = roundRate(Math.max(rate + config.regainStep, rate * config.regainFactor));
    }
  }
  if (periods > MAX_STEPS) rate = config.ceiling;
  rate = Math.min(rate, config.ceiling);
  return { rate, knee: rate >= config.ceiling || periods >= kneeLeft ? null : knee };
}

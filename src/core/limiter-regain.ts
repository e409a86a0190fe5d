import type { LimiterConfig } from './limiter-config';
import { type LimiterState, roundRate, roundUs } from './limiter-state';

/** Forgives float noise when counting steps between rates kept to 1/1000. */
const EPSILON = 1e-9;

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
      ({ rate, knee } = regain(rate, knee, periods, config));
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
  return { ...state, rate, ceiling: config.ceiling, streak, cleanSince, knee };
}

/**
 * The rate after `periods` clean periods, and the knee still remembered. Without a knee each period
 * adds `regainStep`. With one, each period adds `regainStep` but not past `kneeMargin` × knee
 * (just under the rate that last drew a 429), then `probeStep` until the rate is above the knee;
 * a whole period spent above it (the load that caused the 429 has gone) forgets the knee and
 * regain is quick again. Reaching the ceiling forgets it too: there is nothing left to probe.
 *
 * @example
 * // knee 6.3 (margin 0.9 → 5.67), steps 0.5 and 0.125, from 4.41:
 * // 4.91, 5.41, 5.67, 5.795, 5.92, 6.045, 6.17, 6.295, 6.42 (> 6.3), then forgotten: 6.92, 7.42 …
 */
export function regain(
  rate: number,
  knee: number | null,
  periods: number,
  config: LimiterConfig,
): { rate: number; knee: number | null } {
  let left = periods;
  if (knee !== null) {
    const below = roundRate(knee * config.kneeMargin);
    if (rate < below) {
      const n = Math.min(left, Math.ceil((below - rate) / config.regainStep - EPSILON));
      rate = Math.min(below, roundRate(rate + n * config.regainStep));
      left -= n;
    }
    if (left > 0 && rate <= knee) {
      const n = Math.min(left, Math.floor((knee - rate) / config.probeStep + EPSILON) + 1);
      rate = roundRate(rate + n * config.probeStep);
      left -= n;
    }
    // Periods left over start with the rate above the knee: the first of them forgets it.
    if (left > 0) knee = null;
  }
  if (knee === null && left > 0) rate = roundRate(rate + left * config.regainStep);
  rate = Math.min(rate, config.ceiling);
  return { rate, knee: rate >= config.ceiling ? null : knee };
}

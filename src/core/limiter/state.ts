import type { LimiterConfig } from './config';

/**
 * The shared state of one Jama environment's limiter (in AWS: one DynamoDB item). Times are ms
 * since the Unix epoch on the acquirers' clocks, which are assumed to agree within ±50 ms.
 */
export interface LimiterState {
  /** Theoretical arrival time: the earliest moment the next call may go (GCRA's TAT). Only ever grows. */
  tat: number;
  /**
   * Since when every slot has been taken: a reservation that finds a whole slot unused before now
   * sets it to now (0 when unknown, as in items written before it existed).
   */
  busySince: number;
  /**
   * Slots reserved since `busySince`, counting the one that set it (0 when unknown, as in items
   * written before it existed): with the timeline, how many of our calls a refused window held.
   */
  grants: number;
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
  /**
   * The rate that drew the last cut, or null if none is remembered: regain is quick up to
   * `kneeMargin` × knee and slow above it, and the knee is forgotten once a whole clean period has
   * gone by at a rate above it (or the rate is back at the ceiling).
   */
  knee: number | null;
  /**
   * Whether the knee is the room a 429 found (see `capacityFound` in gcra.ts) rather than the rate
   * that drew it: a found knee is held under, a knee that only bounds the room is probed towards.
   */
  kneeFound: boolean;
  /**
   * When the call was sent whose 429 counted the knee (see `capacityFound`), or null: a 429 echoed
   * during the hold for a call sent in the second before it was counted as ours in that window,
   * though the window had refused it, so it lowers the knee by one.
   */
  foundAt: number | null;
}

/** The state of a limiter nobody has used yet: full rate, next slot free now. */
export function initialState(at: number, config: LimiterConfig): LimiterState {
  const now = roundUs(at);
  return {
    tat: now,
    busySince: now,
    grants: 0,
    rate: config.ceiling,
    ceiling: config.ceiling,
    lastThrottleAt: null,
    holdUntil: now,
    streak: 0,
    cleanSince: now,
    knee: null,
    kneeFound: false,
    foundAt: null,
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
export function roundRate(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}

import {
  inSlowStart,
  type Lane,
  type LimiterConfig,
  laneMaxWaitMs,
  slotIntervalMs,
} from '../../core/limiter/config';
import {
  bookingHorizonMs,
  countRestartTat,
  type LimiterState,
  roundUs,
  settle,
} from '../../core/limiter/gcra';
import { fullStateUpdate, type ItemUpdate, num, type Stored, settledUpdate } from './item';

/** Counts the reservation on the item (`grants`; see `capacityFound`), from 0 on items written before it existed. */
const COUNT_GRANT = 'grants = if_not_exists(grants, :zero) + :one';
const COUNT_GRANT_VALUES = { ':zero': num(0), ':one': num(1) };

/** A reservation as one conditional write: what to write, on what condition, and where its slot is. */
export interface ReservationWrite {
  update: ItemUpdate;
  condition: string;
  /** Whether the write assumes the timeline is ahead of the clock (`tat = tat + :interval`). */
  ahead: boolean;
  /** The reserved slot, given the item as the write left it. */
  slotAt(stored: Stored): number;
}

/**
 * The reservation `reserve` computed from `cached` at `now` (`reserved`), as an update that stays
 * correct for any stored `tat` on the guessed side of `now`. While the timeline is ahead of the
 * clock (or `contended` says it probably is), `SET tat = tat + :interval` succeeds for every
 * acquirer however many race, as long as the slot stays within the booking horizon; otherwise
 * `tat` is set to the reserved value if it is still behind `now`. Either way the write is
 * conditioned on the epoch, which pins everything but `tat`, `busySince` and `grants` to what
 * `cached` holds; what `reserve` decided from those three (whether the count restarts, whether the
 * slot is in the slow start) is a condition as well, so the horizon and spacing are those
 * `reserve` applied.
 */
export function reservationWrite(
  cached: Stored,
  reserved: LimiterState,
  now: number,
  maxWaitMs: number,
  config: LimiterConfig,
  contended: boolean,
  lane: Lane = 'interactive',
): ReservationWrite {
  if (cached.epoch === 0) {
    const update = fullStateUpdate(reserved, 1);
    return { update, condition: 'attribute_not_exists(pk)', ahead: false, slotAt: () => now };
  }
  const settled = settle(cached.state, now, config);
  const tolerance = config.toleranceMs;
  const update = settledUpdate(cached, settled);
  Object.assign(update.values, { ':epoch': num(cached.epoch), ':now': num(now) });
  if (cached.state.tat > now || contended) {
    const horizon = bookingHorizonMs(settled, now, config, laneMaxWaitMs(maxWaitMs, lane, config));
    const maxTat = now + horizon + tolerance;
    // The spacing is the slow start's if the slot — max(now, stored tat − τ) — falls in it: guessed
    // from the cached tat, and made a condition, so a wrong guess is a conflict, not a wrong spacing.
    // The slow start is counted from `busySince`, which a reservation may move without a new epoch
    // (a copy cached before another instance's restart): it is a condition too.
    const guess = Math.max(now, settled.tat - tolerance);
    const interval = slotIntervalMs(settled.rate, lane, settled, guess, config);
    let condition = `epoch = :epoch AND tat > :now AND tat <= :maxTat${pinBusySince(update, settled, config)}`;
    if (inSlowStart(settled, now, config) && settled.busySince > 0) {
      condition += inSlowStart(settled, guess, config) ? ' AND tat < :slowTat' : ' AND tat >= :slowTat';
      Object.assign(update.values, { ':slowTat': num(settled.busySince + config.slowStartMs + tolerance) });
    }
    update.set.push('tat = tat + :interval', COUNT_GRANT);
    Object.assign(update.values, { ':interval': num(interval), ':maxTat': num(maxTat) }, COUNT_GRANT_VALUES);
    return {
      update,
      condition,
      ahead: true,
      slotAt: (stored) => Math.max(now, roundUs(stored.state.tat - interval - tolerance)),
    };
  }
  update.set.push('tat = :tat');
  Object.assign(update.values, { ':tat': num(reserved.tat) });
  // Whether the count restarts, and so the slow start, was decided from the cached `tat` and
  // `busySince`, which reservations move without a new epoch: both are conditions as well.
  const restartTat = countRestartTat(settled.rate, lane, now, config);
  const restart = settled.tat <= restartTat;
  let condition = `epoch = :epoch AND tat <= :now AND tat ${restart ? '<=' : '>'} :restartTat`;
  Object.assign(update.values, { ':restartTat': num(restartTat) });
  if (restart) {
    update.set.push('busySince = :busySince', 'grants = :grants');
    Object.assign(update.values, { ':busySince': num(reserved.busySince), ':grants': num(reserved.grants) });
  } else {
    update.set.push(COUNT_GRANT);
    Object.assign(update.values, COUNT_GRANT_VALUES);
    condition += pinBusySince(update, settled, config);
  }
  return { update, condition, ahead: false, slotAt: () => now };
}

/**
 * ` AND busySince = :busySince` (its value added to `update`) when the slow start may decide the
 * spacing: it is counted from `busySince`, which reservations move without a new epoch. Empty
 * otherwise, and for items written before `busySince` existed (0: no slow start to decide).
 */
function pinBusySince(update: ItemUpdate, settled: LimiterState, config: LimiterConfig): string {
  if (config.slowStartFactor === 1 || settled.streak > 0 || settled.busySince === 0) return '';
  Object.assign(update.values, { ':busySince': num(settled.busySince) });
  return ' AND busySince = :busySince';
}

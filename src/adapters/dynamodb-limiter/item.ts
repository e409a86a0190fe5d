import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StoreError } from '../../core/errors';
import type { LimiterState } from '../../core/limiter/state';

/**
 * The limiter's DynamoDB item, one per Jama environment in the `state` table:
 *
 * | attribute | type | meaning |
 * |---|---|---|
 * | `pk` | S | `limiter#<environment>` |
 * | `tat` | N | next free slot, ms since epoch (whole µs) |
 * | `busySince` | N | since when every slot has been taken (absent in items written before it existed) |
 * | `grants` | N | slots reserved since `busySince` (absent in items written before it existed: unknown) |
 * | `rate`, `ceiling` | N | calls/s now allowed, and the ceiling in force |
 * | `holdUntil`, `cleanSince` | N | 429 echo hold, start of the clean period (ms) |
 * | `streak` | N | cuts since the last clean period |
 * | `lastThrottleAt` | N | last 429 (absent if never) |
 * | `knee` | N | calls/s that drew the last cut (absent if none remembered; items written before it existed have none) |
 * | `kneeFound` | N | 1 when the knee is the room a 429 found, not the rate that drew it (absent otherwise) |
 * | `foundAt` | N | when the call was sent whose 429 counted the knee (absent if none) |
 * | `epoch` | N | bumped on every change except `tat`; reservations are conditioned on it |
 *
 * Reservations only move `tat` (`SET tat = tat + :interval`), so concurrent acquirers agreeing on
 * the epoch never conflict; anything else (cuts, regain) bumps the epoch.
 */
export type LimiterItem = Record<string, AttributeValue>;

/** A state as stored, with its epoch (0: no item yet). */
export interface Stored {
  state: LimiterState;
  epoch: number;
}

export function limiterKey(environment: string): LimiterItem {
  return { pk: { S: `limiter#${environment}` } };
}

export function num(value: number): AttributeValue {
  return { N: String(value) };
}

/** The parts of an `UpdateExpression`: `SET` clauses, attributes to `REMOVE`, and the values. */
export interface ItemUpdate {
  set: string[];
  remove: string[];
  values: LimiterItem;
}

/**
 * `SET` (and `REMOVE`) clauses and values writing the whole state and `epoch`; without `busySince`
 * and `grants` when `withBusyMarks` is false (see {@link throttleWrite}).
 */
export function fullStateUpdate(state: LimiterState, epoch: number, withBusyMarks = true): ItemUpdate {
  const fields: Record<string, number> = {
    tat: state.tat,
    ...(withBusyMarks ? { busySince: state.busySince, grants: state.grants } : {}),
    rate: state.rate,
    ceiling: state.ceiling,
    holdUntil: state.holdUntil,
    cleanSince: state.cleanSince,
    streak: state.streak,
    epoch,
  };
  if (state.lastThrottleAt !== null) fields.lastThrottleAt = state.lastThrottleAt;
  if (state.foundAt !== null) fields.foundAt = state.foundAt;
  const update = withKnee(fields, state.knee, state.kneeFound);
  if (state.foundAt === null) update.remove.push('foundAt');
  return update;
}

/** `SET` (and `REMOVE`) clauses and values writing what `settle` changes (not `tat`) and `epoch`. */
export function adaptiveUpdate(state: LimiterState, epoch: number): ItemUpdate {
  const fields = {
    rate: state.rate,
    ceiling: state.ceiling,
    cleanSince: state.cleanSince,
    streak: state.streak,
    epoch,
  };
  return withKnee(fields, state.knee, state.kneeFound);
}

/** The update writing what `settle` changed in `stored` (bumping the epoch), or an empty one. */
export function settledUpdate(stored: Stored, settled: LimiterState): ItemUpdate {
  if (settled === stored.state) return { set: [], remove: [], values: {} };
  return adaptiveUpdate(settled, stored.epoch + 1);
}

/** The write of a state `onThrottled` computed from `stored`, and its condition. */
export function throttleWrite(stored: Stored, next: LimiterState) {
  // Like `tat`, `busySince` and `grants` move with reservations, which leave the epoch alone: an
  // echo computed from an older copy must not put older values back (it never changes them). A cut
  // restarts them at the end of its pause, which no reservation it races can have reached (`tat`
  // condition below); a new item needs them.
  const marks =
    stored.epoch === 0 || next.busySince !== stored.state.busySince || next.grants !== stored.state.grants;
  const update = fullStateUpdate(next, stored.epoch + 1, marks);
  if (stored.epoch === 0) return { update, condition: 'attribute_not_exists(pk)' };
  // `tat <= next.tat`: reservations made meanwhile may have moved `tat`, but not past the pause.
  Object.assign(update.values, { ':epoch': num(stored.epoch), ':nextTat': num(next.tat) });
  return { update, condition: 'epoch = :epoch AND tat <= :nextTat' };
}

/** Sets `fields`, and the knee (with `kneeFound` when it is), or removes them when none is remembered. */
function withKnee(fields: Record<string, number>, knee: number | null, found: boolean): ItemUpdate {
  const remove = knee === null ? ['knee', 'kneeFound'] : found ? [] : ['kneeFound'];
  const update: ItemUpdate = { set: [], remove, values: {} };
  const kneeFields = knee === null ? {} : found ? { knee, kneeFound: 1 } : { knee };
  for (const [name, value] of Object.entries({ ...fields, ...kneeFields })) {
    update.set.push(`${name} = :set_${name}`);
    update.values[`:set_${name}`] = num(value);
  }
  return update;
}

/** The `UpdateExpression` of `update`. */
export function updateExpression(update: Pick<ItemUpdate, 'set' | 'remove'>): string {
  const remove = update.remove.length > 0 ? ` REMOVE ${update.remove.join(', ')}` : '';
  return `SET ${update.set.join(', ')}${remove}`;
}

/** Decodes an item; throws naming the first missing or non-numeric attribute. */
export function decodeItem(item: LimiterItem): Stored {
  const read = (name: string): number => {
    const raw = item[name]?.N;
    const value = raw === undefined ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) {
      throw new StoreError(
        `Limiter item \`${item.pk?.S ?? '?'}\` has no numeric \`${name}\` (got ${JSON.stringify(item[name] ?? null)}); delete the item to reset the limiter`,
      );
    }
    return value;
  };
  return {
    epoch: read('epoch'),
    state: {
      tat: read('tat'),
      busySince: item.busySince === undefined ? 0 : read('busySince'),
      grants: item.grants === undefined ? 0 : read('grants'),
      rate: read('rate'),
      ceiling: read('ceiling'),
      holdUntil: read('holdUntil'),
      cleanSince: read('cleanSince'),
      streak: read('streak'),
      lastThrottleAt: item.lastThrottleAt?.N === undefined ? null : read('lastThrottleAt'),
      knee: item.knee === undefined ? null : read('knee'),
      kneeFound: item.knee !== undefined && item.kneeFound !== undefined,
      foundAt: item.foundAt === undefined ? null : read('foundAt'),
    },
  };
}

/**
 * {@link decodeItem}, or the error for an incomplete item. moto_server writes a new item in steps,
 * so a concurrent reader may see the key alone; callers read again before believing it.
 */
export function tryDecodeItem(item: LimiterItem): Stored | Error {
  try {
    return decodeItem(item);
  } catch (error) {
    return error as Error;
  }
}

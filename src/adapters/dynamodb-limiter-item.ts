import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { LimiterState } from '../core/gcra';

/**
 * The limiter's DynamoDB item, one per Jama environment in the `state` table:
 *
 * | attribute | type | meaning |
 * |---|---|---|
 * | `pk` | S | `limiter#<environment>` |
 * | `tat` | N | next free slot, ms since epoch (whole µs) |
 * | `rate`, `ceiling` | N | calls/s now allowed, and the ceiling in force |
 * | `holdUntil`, `cleanSince` | N | 429 echo hold, start of the clean period (ms) |
 * | `streak` | N | cuts since the last clean period |
 * | `lastThrottleAt` | N | last 429 (absent if never) |
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

/** `SET` clauses and values writing the whole state and `epoch`. */
export function fullStateUpdate(state: LimiterState, epoch: number) {
  const fields: Record<string, number> = {
    tat: state.tat,
    rate: state.rate,
    ceiling: state.ceiling,
    holdUntil: state.holdUntil,
    cleanSince: state.cleanSince,
    streak: state.streak,
    epoch,
  };
  if (state.lastThrottleAt !== null) fields.lastThrottleAt = state.lastThrottleAt;
  return setClauses(fields);
}

/** `SET` clauses and values writing the adaptive part (everything but `tat`) and `epoch`. */
export function adaptiveUpdate(state: LimiterState, epoch: number) {
  return setClauses({
    rate: state.rate,
    ceiling: state.ceiling,
    cleanSince: state.cleanSince,
    streak: state.streak,
    epoch,
  });
}

function setClauses(fields: Record<string, number>) {
  const clauses: string[] = [];
  const values: LimiterItem = {};
  for (const [name, value] of Object.entries(fields)) {
    clauses.push(`${name} = :set_${name}`);
    values[`:set_${name}`] = num(value);
  }
  return { clauses, values };
}

/** Decodes an item; throws naming the first missing or non-numeric attribute. */
export function decodeItem(item: LimiterItem): Stored {
  const read = (name: string): number => {
    const raw = item[name]?.N;
    const value = raw === undefined ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) {
      throw new Error(
        `Limiter item \`${item.pk?.S ?? '?'}\` has no numeric \`${name}\` (got ${JSON.stringify(item[name] ?? null)}); delete the item to reset the limiter`,
      );
    }
    return value;
  };
  return {
    epoch: read('epoch'),
    state: {
      tat: read('tat'),
      rate: read('rate'),
      ceiling: read('ceiling'),
      holdUntil: read('holdUntil'),
      cleanSince: read('cleanSince'),
      streak: read('streak'),
      lastThrottleAt: item.lastThrottleAt?.N === undefined ? null : read('lastThrottleAt'),
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

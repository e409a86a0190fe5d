import { parseJamaDate } from '../jama-date';
import type { JamaActivity } from '../jama-types';
import type { DeleteJob } from '../jobs';

/**
 * Tombstone jobs for the items a page of DELETE activities reports: one per item, dated when Jama
 * deleted it (the tombstone's version, so a stale read that lands later cannot resurrect the item).
 * Activities of other kinds, or without an item id, are ignored.
 */
export function deleteJobs(env: string, activities: Iterable<JamaActivity>): DeleteJob[] {
  const latest = new Map<number, number | undefined>();
  for (const a of activities) {
    if (a.eventType !== 'DELETE' || a.objectType !== 'ITEM') continue;
    if (typeof a.item !== 'number' || !Number.isInteger(a.item) || a.item <= 0) continue;
    const at = dateOf(a.date);
    const seen = latest.get(a.item);
    latest.set(a.item, seen === undefined || (at !== undefined && at > seen) ? at : seen);
  }
  return [...latest].map(([itemId, deletedAt]) => ({
    v: 1,
    env,
    kind: 'delete',
    itemId,
    confirmed: true,
    ...(deletedAt === undefined ? {} : { deletedAt }),
  }));
}

/** An unreadable date leaves the tombstone to be dated when the worker writes it. */
function dateOf(text: string): number | undefined {
  try {
    const ms = parseJamaDate(text);
    return ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

import { chunk } from '../chunk';
import { JamaSyncError } from '../errors';
import { parseJamaDate } from '../jama-date';
import type { JamaItem, Page } from '../jama-types';
import type { JamaApi } from '../ports/jama-api';
import type { SinkRecord } from '../ports/sink';

/** One item to refresh, with the records (queue messages) that asked for it. */
export interface PullTarget {
  itemId: number;
  documentKey?: string;
  /** A miss in the documentKey call settles it (`absent`, no per-id call): for deletes of ids the sink never held. */
  keyOnly?: boolean;
  /**
   * A webhook named it at this time (epoch ms). If the sink never held it either, it is looked for
   * among Jama's recent activity with the batch's other such ids — one call, not one GET each.
   */
  heardAt?: number;
}

/** A record to write, an error, or `absent`: Jama has no such item and the sink never held it. */
export type PullResult = {
  itemId: number;
  record?: SinkRecord;
  error?: unknown;
  absent?: true;
  note?: string;
};

/** Jama's largest page: one /abstractitems call returns at most this many items. */
export const MAX_PAGE = 50;

/**
 * How long before a webhook accepted an event the change may have happened in Jama (sender's
 * delay and clock skew): the recent-activity check for ids the sink never held looks back this far.
 */
export const HEARD_LOOKBACK_MS = 10 * 60_000;

/**
 * Fetches the current state of `targets` with the fewest Jama calls: items whose documentKey is
 * known come back 50 per `/abstractitems?documentKey=…` call; the rest (and any whose key changed)
 * are read one by one with `GET /items/{id}`. A 404 becomes a tombstone.
 *
 * Each Jama call's failure is reported against exactly the items that call was fetching. Once the
 * limiter or Jama says "later", the items not yet fetched get the same answer without further
 * calls: asking again within the same batch would only add load. `shouldStop` is checked before every call.
 *
 * With `known` (the sink's index), an id the sink never held that Jama answers 404 for is `absent`:
 * a tombstone only hides what was there. A `keyOnly` target the documentKey call did not return
 * is `absent` without a per-id call. Two or more `heardAt` targets the sink never held (and whose
 * key, if any, missed) cost one call together, not one each: Jama has no filter by id, so they are
 * looked for among the newest 50 items active since the earliest `heardAt` less
 * {@link HEARD_LOOKBACK_MS} ({@link findAmongRecent}); one not there is `absent` — if it exists,
 * the next incremental reconciliation reads it.
 */
export async function pullItems(
  jama: JamaApi,
  targets: PullTarget[],
  options: {
    now: () => number;
    shouldStop: () => boolean;
    signal?: AbortSignal;
    known?: (itemId: number) => boolean;
  },
): Promise<{ results: PullResult[]; notStarted: number[] }> {
  const results: PullResult[] = [];
  const notStarted: number[] = [];
  const keyed = targets.filter((t) => t.documentKey !== undefined);
  const unkeyed = targets.filter((t) => t.documentKey === undefined).map((t) => t.itemId);
  const callOptions = options.signal ? { signal: options.signal } : {};
  const known = options.known ?? (() => true);
  let throttle: unknown;
  const fail = (itemId: number, error: unknown) => {
    if (isThrottle(error)) throttle ??= error;
    results.push({ itemId, error });
  };

  for (const group of chunk(keyed, MAX_PAGE)) {
    if (options.shouldStop()) {
      notStarted.push(...group.map((t) => t.itemId));
      continue;
    }
    if (throttle) {
      for (const t of group) fail(t.itemId, throttle);
      continue;
    }
    let items: JamaItem[];
    // A sighting is dated before the read, a 404 after it: a race between them cannot favour the stale one.
    const observedAt = options.now();
    try {
      items = await jama.getItemsByDocumentKeys(
        group.map((t) => t.documentKey as string),
        callOptions,
      );
    } catch (error) {
      for (const t of group) fail(t.itemId, error);
      continue;
    }
    const byId = new Map(items.map((item) => [item.id, item]));
    for (const t of group) {
      const item = byId.get(t.itemId);
      if (item) results.push({ itemId: t.itemId, record: itemRecord(item, observedAt) });
      else if (t.keyOnly) results.push({ itemId: t.itemId, absent: true });
      else unkeyed.push(t.itemId); // documentKey changed (item moved) or item deleted: ask by id
    }
  }

  const heard = new Map(targets.flatMap((t) => (t.heardAt === undefined ? [] : [[t.itemId, t.heardAt]])));
  const strangers = new Set(unkeyed.filter((itemId) => heard.has(itemId) && !known(itemId)));
  let byId = unkeyed;
  if (strangers.size >= 2) {
    byId = unkeyed.filter((itemId) => !strangers.has(itemId));
    const since =
      Math.min(...[...strangers].map((itemId) => heard.get(itemId) as number)) - HEARD_LOOKBACK_MS;
    if (options.shouldStop()) notStarted.push(...strangers);
    else if (throttle) for (const itemId of strangers) fail(itemId, throttle);
    else {
      const { found, readById } = await findAmongRecent(
        jama,
        [...strangers],
        since,
        options.now,
        callOptions,
        fail,
      );
      results.push(...found);
      byId.push(...readById); // read by id: exact where the page was not (or reports what is wrong)
    }
  }

  for (const itemId of byId) {
    if (options.shouldStop()) {
      notStarted.push(itemId);
      continue;
    }
    if (throttle) {
      fail(itemId, throttle);
      continue;
    }
    const observedAt = options.now();
    try {
      results.push({ itemId, record: itemRecord(await jama.getItem(itemId, callOptions), observedAt) });
    } catch (error) {
      if (error instanceof JamaSyncError && error.code === 'JAMA_NOT_FOUND') {
        const at = options.now();
        results.push(
          known(itemId)
            ? { itemId, record: { kind: 'tombstone', itemId, deletedAt: at, observedAt: at } }
            : { itemId, absent: true },
        );
      } else {
        fail(itemId, error);
      }
    }
  }
  return { results, notStarted };
}

/**
 * One call for ids nobody ever synced: the newest 50 items active in the environment since `since`
 * (`GET /abstractitems?lastActivityDate=…&sortBy=lastActivityDate.desc`). A real change a webhook
 * reports is among them; when they all fit on the page, an id not there is `absent` (no tombstone —
 * nothing was there to hide). When more changed than one page holds, ids not on it are left to a
 * read by id (a real change is never dropped for being busy), as is one Jama returned malformed.
 */
async function findAmongRecent(
  jama: JamaApi,
  itemIds: number[],
  since: number,
  now: () => number,
  callOptions: { signal?: AbortSignal },
  fail: (itemId: number, error: unknown) => void,
): Promise<{ found: PullResult[]; readById: number[] }> {
  const observedAt = now();
  let page: Page<JamaItem>;
  try {
    page = await jama.searchAbstractItems(
      { lastActivityDate: [since], sortBy: ['lastActivityDate.desc'], maxResults: MAX_PAGE },
      callOptions,
    );
  } catch (error) {
    for (const itemId of itemIds) fail(itemId, error);
    return { found: [], readById: [] };
  }
  const recent = new Map(page.data.map((item) => [item.id, item]));
  const bad = new Set((page.rejected ?? []).flatMap((r) => (r.itemId === undefined ? [] : [r.itemId])));
  // More than one page changed since: an id not on it may still be a real change, so it is read by id.
  const whole = page.data.length + bad.size >= page.totalResults;
  const found: PullResult[] = [];
  const byId: number[] = [];
  for (const itemId of itemIds) {
    const item = recent.get(itemId);
    if (item) found.push({ itemId, record: itemRecord(item, observedAt) });
    else if (bad.has(itemId) || !whole) byId.push(itemId);
    else found.push({ itemId, absent: true, note: 'not among Jama’s recent activity' });
  }
  return { found, readById: byId };
}

/** The sink record for an item as Jama returned it at `observedAt` (epoch ms, when known). */
export function itemRecord(item: JamaItem, observedAt?: number): SinkRecord {
  return {
    kind: 'item',
    itemId: item.id,
    documentKey: item.documentKey,
    modifiedAt: parseJamaDate(item.modifiedDate),
    item,
    ...(observedAt === undefined ? {} : { observedAt }),
  };
}

function isThrottle(error: unknown): boolean {
  return (
    error instanceof JamaSyncError &&
    ['LIMITER_WAIT', 'JAMA_RATE_LIMITED', 'JAMA_UNAVAILABLE'].includes(error.code)
  );
}

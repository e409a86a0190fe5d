import { listEnvelope, page, singleEnvelope } from './envelope';
import { dateRange, inRange, intList, paging, type SortKey, sortKeys } from './query-params';
import { idArg, type Route, type RouteContext } from './router';
import type { StoredItem } from './store';

const SORTABLE = ['id', 'documentKey', 'lastActivityDate', 'modifiedDate', 'createdDate'] as const;
type Sortable = (typeof SORTABLE)[number];

function sortValue(stored: StoredItem, field: Sortable): number | string {
  switch (field) {
    case 'id':
      return stored.item.id;
    case 'documentKey':
      return stored.item.documentKey;
    case 'lastActivityDate':
      return stored.lastActivityMs;
    case 'modifiedDate':
      return stored.modifiedMs;
    case 'createdDate':
      return stored.createdMs;
  }
}

function compareBy(keys: readonly SortKey<Sortable>[]) {
  return (a: StoredItem, b: StoredItem): number => {
    for (const { field, descending } of keys) {
      const x = sortValue(a, field);
      const y = sortValue(b, field);
      if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
    }
    return a.item.id - b.item.id;
  };
}

function includesText(stored: StoredItem, needles: readonly string[]): boolean {
  if (needles.length === 0) return true;
  const { name, description } = stored.item.fields;
  const haystack = `${typeof name === 'string' ? name : ''}\n${typeof description === 'string' ? description : ''}`;
  const lower = haystack.toLowerCase();
  return needles.some((needle) => lower.includes(needle));
}

/**
 * Runs an `/abstractitems` search. Repeated values of one parameter are alternatives (OR); different
 * parameters all apply (AND). Starts from the cheapest index: document keys, then one project.
 */
export function searchItems(ctx: RouteContext): StoredItem[] {
  const { params, store } = ctx;
  const projects = new Set(intList(params, 'project'));
  const itemTypes = new Set(intList(params, 'itemType'));
  const releases = new Set(intList(params, 'release'));
  const keys = params.getAll('documentKey');
  const contains = params.getAll('contains').map((text) => text.toLowerCase());
  const created = dateRange(params, 'createdDate');
  const modified = dateRange(params, 'modifiedDate');
  const lastActivity = dateRange(params, 'lastActivityDate');
  const order = sortKeys(params, SORTABLE);

  let candidates: Iterable<StoredItem>;
  if (keys.length > 0) {
    const found = new Map<number, StoredItem>();
    for (const key of keys) {
      const stored = store.getByDocumentKey(key);
      if (stored) found.set(stored.item.id, stored);
    }
    candidates = [...found.values()].sort((a, b) => a.item.id - b.item.id);
  } else if (projects.size === 1) {
    candidates = store.inProject([...projects][0] ?? 0);
  } else {
    candidates = store.all();
  }

  const matches: StoredItem[] = [];
  for (const stored of candidates) {
    const { item } = stored;
    if (projects.size > 0 && !projects.has(item.project)) continue;
    if (itemTypes.size > 0 && !itemTypes.has(item.itemType)) continue;
    if (releases.size > 0 && !releases.has(item.fields.release as number)) continue;
    if (!inRange(stored.createdMs, created)) continue;
    if (!inRange(stored.modifiedMs, modified)) continue;
    if (!inRange(stored.lastActivityMs, lastActivity)) continue;
    if (!includesText(stored, contains)) continue;
    matches.push(stored);
  }
  // Candidates arrive in id order, which is the default; sort only when asked for another.
  return order.length > 0 ? matches.sort(compareBy(order)) : matches;
}

/** `GET /abstractitems` (search) and `GET /abstractitems/{id}`. */
export const abstractItemRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/abstractitems$/,
    handle: (ctx) => {
      const { startAt, maxResults } = paging(ctx.params);
      const { data, pageInfo } = page(searchItems(ctx), startAt, maxResults);
      return {
        status: 200,
        body: listEnvelope(
          data.map((s) => s.item),
          pageInfo,
          ctx.now,
        ),
      };
    },
  },
  {
    method: 'GET',
    path: /^\/abstractitems\/(\d+)$/,
    handle: (ctx, args) => ({
      status: 200,
      body: singleEnvelope(ctx.store.require(idArg(args)).item, ctx.now),
    }),
  },
];

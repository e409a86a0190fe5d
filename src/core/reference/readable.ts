import type { JamaItem } from '../jama-types';
import { currentUser, itemTypes, pickListOptions, projects, type ReferenceList, users } from './lists';
import { displayName } from './model';
import type { ReferenceResolver } from './resolver';

/** The names a person reads, beside Jama's ids in a record. Absent where Jama has no such id. */
export interface ReadableValues {
  /** The item type's display name, e.g. "Requirement". */
  itemType?: string;
  /** The project's key, e.g. "PUMP". */
  project?: string;
  /** Display names ("First Last") of `createdBy` and `modifiedBy`. */
  createdBy?: string;
  modifiedBy?: string;
  /** Per pick-list or user field key: the option name(s) or user display name(s). */
  fields: Record<string, string | string[]>;
}

/** What echo marking and readable values add to an item record. */
export interface ItemAnnotations {
  readable: ReadableValues;
  /** Who made the item's last modification (Jama's user id). */
  modifiedBy?: number;
  /** True when that was the integration's own user: a relay can drop its own change coming back. */
  bySync?: boolean;
}

/**
 * Names for a page of items, from the cached reference data: one read per reference list per
 * environment and TTL, whatever the page size (the lists a page needs are read side by side first,
 * then each distinct id is looked up once — from memory). An id Jama does not know keeps its raw id
 * only; a new one refreshes its list once.
 *
 * Best effort: a list Jama cannot serve right now (a 5xx, the limiter's "later") is tried twice, then
 * not asked again for this page, and its names are left out — the items themselves are never held back for a name.
 * The item's next sync fills them in.
 */
export async function annotateItems(
  env: string,
  items: readonly JamaItem[],
  resolver: ReferenceResolver,
): Promise<ItemAnnotations[]> {
  const failed = new Set<string>();
  const safe = async <T>(list: { key: string }, read: () => Promise<T>): Promise<T | undefined> => {
    if (failed.has(list.key)) return undefined;
    // One more try before giving a list up for this page: a busy limiter or a lone 5xx usually passes.
    for (let attempt = 0; ; attempt++) {
      try {
        return await read();
      } catch {
        if (attempt === 1) {
          failed.add(list.key);
          return undefined;
        }
      }
    }
  };
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, find: () => Promise<T | undefined>): Promise<T | undefined> => {
    const hit = memo.get(key) ?? find();
    memo.set(key, hit);
    return hit as Promise<T | undefined>;
  };
  const all = <T extends { id: number }>(list: ReferenceList<T>) => safe(list, () => resolver.all(env, list));
  const byId = <T extends { id: number }>(list: ReferenceList<T>, id: number) =>
    once(`${list.key}/${id}`, () => safe(list, () => resolver.byId(env, list, id)));

  const [self] = (await Promise.all([all(currentUser), all(itemTypes), all(projects), all(users)]))[0] ?? [];
  const lists = new Set<number>();
  for (const item of items) {
    const type = await byId(itemTypes, item.itemType);
    for (const f of type?.fields ?? []) if (f.pickList !== undefined) lists.add(f.pickList);
  }
  await Promise.all([...lists].map((pickList) => all(pickListOptions(pickList))));
  const user = async (id: unknown) => {
    const found = typeof id === 'number' ? await byId(users, id) : undefined;
    return found ? displayName(found) : undefined;
  };
  const option = async (pickList: number, id: unknown) =>
    typeof id === 'number' ? (await byId(pickListOptions(pickList), id))?.name : undefined;

  return Promise.all(
    items.map(async (item): Promise<ItemAnnotations> => {
      const type = await byId(itemTypes, item.itemType);
      const project = await byId(projects, item.project);
      const fields: Record<string, string | string[]> = {};
      for (const def of type?.fields ?? []) {
        const key = def.name;
        const raw = key === undefined ? undefined : item.fields[key];
        if (key === undefined || raw === undefined || raw === null) continue;
        const named = await nameOf(def.fieldType, def.pickList, raw, user, option);
        if (named !== undefined) fields[key] = named;
      }
      const readable: ReadableValues = { fields };
      const set = <K extends keyof ReadableValues>(k: K, v: ReadableValues[K] | undefined) => {
        if (v !== undefined) readable[k] = v;
      };
      set('itemType', type?.display);
      set('project', project?.projectKey);
      set('createdBy', await user(item.createdBy));
      set('modifiedBy', await user(item.modifiedBy));
      return {
        readable,
        ...(item.modifiedBy === undefined ? {} : { modifiedBy: item.modifiedBy }),
        // Unknown when the integration's own user could not be read.
        ...(self === undefined ? {} : { bySync: item.modifiedBy === self.id }),
      };
    }),
  );
}

async function nameOf(
  fieldType: string | undefined,
  pickList: number | undefined,
  raw: unknown,
  user: (id: unknown) => Promise<string | undefined>,
  option: (pickList: number, id: unknown) => Promise<string | undefined>,
): Promise<string | string[] | undefined> {
  const many = async (one: (id: unknown) => Promise<string | undefined>) => {
    if (!Array.isArray(raw)) return one(raw);
    const names = await Promise.all(raw.map(one));
    return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
  };
  if ((fieldType === 'LOOKUP' || fieldType === 'MULTI_LOOKUP') && pickList !== undefined)
    return many((id) => option(pickList, id));
  if (fieldType === 'USER' || fieldType === 'MULTI_USER') return many(user);
  return undefined;
}

import type { JamaItem, JamaItemType } from '../jama-types';
import { currentUser, itemTypes, pickListOptions, projects, users } from './lists';
import { displayName, type JamaUser } from './model';
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
  bySync: boolean;
}

/**
 * Names for a page of items, from the cached reference data: one read per reference list per
 * environment and TTL, whatever the page size (ids are collected first, then each list is asked
 * once per distinct id — from memory after its first read). An id Jama no longer knows keeps its
 * raw id only; a new one refreshes its list once.
 */
export async function annotateItems(
  env: string,
  items: readonly JamaItem[],
  resolver: ReferenceResolver,
): Promise<ItemAnnotations[]> {
  const memo = new Map<string, Promise<unknown>>();
  const once: <T>(key: string, find: () => Promise<T | undefined>) => Promise<T | undefined> = (
    key,
    find,
  ) => {
    const hit = memo.get(key) ?? find();
    memo.set(key, hit);
    return hit as Promise<never>;
  };
  // The lists a page needs, read side by side (each once, whatever the page size) before any look-up.
  const [self] = (
    await Promise.all([
      resolver.all(env, currentUser),
      resolver.all(env, itemTypes),
      resolver.all(env, projects),
      resolver.all(env, users),
    ])
  )[0];
  const lists = new Set<number>();
  for (const item of items) {
    const type = await resolver.byId(env, itemTypes, item.itemType);
    for (const f of type?.fields ?? []) if (f.pickList !== undefined) lists.add(f.pickList);
  }
  await Promise.all([...lists].map((pickList) => resolver.all(env, pickListOptions(pickList))));
  const user = (id: unknown) =>
    typeof id === 'number'
      ? once(`u${id}`, async () => {
          const found = await resolver.byId(env, users, id);
          return found ? displayName(found as JamaUser) : undefined;
        })
      : Promise.resolve(undefined);
  const option = (pickList: number, id: unknown) =>
    typeof id === 'number'
      ? once(
          `o${pickList}#${id}`,
          async () => (await resolver.byId(env, pickListOptions(pickList), id))?.name,
        )
      : Promise.resolve(undefined);

  return Promise.all(
    items.map(async (item): Promise<ItemAnnotations> => {
      const type = (await once(`t${item.itemType}`, () => resolver.byId(env, itemTypes, item.itemType))) as
        | JamaItemType
        | undefined;
      const project = await once(`p${item.project}`, () => resolver.byId(env, projects, item.project));
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
        bySync: self !== undefined && item.modifiedBy === self.id,
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

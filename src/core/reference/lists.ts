import type { JamaItemType, JamaProject } from '../jama-types';
import type { ReferenceReader } from '../ports/reference-data';
import type { JamaPickListOption, JamaUser } from './model';

/**
 * One kind of reference list: its cache key, how to read it from Jama, and what of each entry is
 * worth keeping (the shared cache stores the trimmed entries).
 *
 * Adding a kind (e.g. relationship types for the mirror's relationship rows) takes three steps:
 * 1. a method on {@link ReferenceReader} (`relationshipTypes(): Promise<…>`) and its line in the
 *    adapter (`src/adapters/jama/reference-reader.ts`, `GET /relationshiptypes`);
 * 2. a descriptor here: `export const relationshipTypes: ReferenceList<{ id: number; name: string }> =
 *    { key: 'relationshipTypes', load: (r) => r.relationshipTypes(), keep: (t) => ({ id: t.id, name: t.name }) };`
 * 3. `resolver.byId(env, relationshipTypes, id)` wherever a name is wanted — the resolver caches it
 *    per environment with the same TTL and refreshes it once on an unknown id.
 */
export interface ReferenceList<T extends { id: number }> {
  /** Cache key within an environment, e.g. `itemTypes` or `pickList#88`. */
  key: string;
  load(reader: ReferenceReader): Promise<T[]>;
  /** The part of an entry to cache. */
  keep(entry: T): T;
}

export const itemTypes: ReferenceList<JamaItemType> = {
  key: 'itemTypes',
  load: (r) => r.itemTypes(),
  keep: (t) => ({
    id: t.id,
    ...(t.typeKey === undefined ? {} : { typeKey: t.typeKey }),
    ...(t.display === undefined ? {} : { display: t.display }),
    fields: (t.fields ?? []).map((f) => ({
      ...(f.name === undefined ? {} : { name: f.name }),
      ...(f.label === undefined ? {} : { label: f.label }),
      ...(f.fieldType === undefined ? {} : { fieldType: f.fieldType }),
      ...(f.pickList === undefined ? {} : { pickList: f.pickList }),
      ...(f.readOnly === undefined ? {} : { readOnly: f.readOnly }),
      ...(f.textType === undefined ? {} : { textType: f.textType }),
    })),
  }),
};

/** The options of one pick list. */
export function pickListOptions(pickList: number): ReferenceList<JamaPickListOption> {
  return {
    key: `pickList#${pickList}`,
    load: (r) => r.pickListOptions(pickList),
    keep: (o) => ({ id: o.id, name: o.name, ...(o.active === undefined ? {} : { active: o.active }) }),
  };
}

const keepUser = (u: JamaUser): JamaUser => ({
  id: u.id,
  username: u.username,
  ...(u.firstName === undefined ? {} : { firstName: u.firstName }),
  ...(u.lastName === undefined ? {} : { lastName: u.lastName }),
  ...(u.email === undefined ? {} : { email: u.email }),
  ...(u.active === undefined ? {} : { active: u.active }),
});

export const users: ReferenceList<JamaUser> = { key: 'users', load: (r) => r.users(), keep: keepUser };

/** A list of one: the integration's own user. */
export const currentUser: ReferenceList<JamaUser> = {
  key: 'currentUser',
  load: async (r) => [await r.currentUser()],
  keep: keepUser,
};

export const projects: ReferenceList<JamaProject> = {
  key: 'projects',
  load: (r) => r.projects(),
  keep: (p) => ({
    id: p.id,
    ...(p.projectKey === undefined ? {} : { projectKey: p.projectKey }),
    ...(p.fields?.name === undefined ? {} : { fields: { name: p.fields.name } }),
  }),
};

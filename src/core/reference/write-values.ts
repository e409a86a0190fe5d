import type { JamaItemType, JamaItemTypeField, PatchOperation } from '../jama-types';
import { itemTypes, pickListOptions, users } from './lists';
import type { JamaPickListOption, JamaUser } from './model';
import type { ReferenceResolver } from './resolver';

/** A field change as a sender names it: key or label, value as a person writes it. */
export interface NamedChange {
  op: 'add' | 'replace' | 'remove';
  /** A field key (`status`, `priority$89`) or the label Jama shows for the item's type ("Priority"). */
  field: string;
  value?: unknown;
}

/** The item being written: its id and type decide which fields exist. */
export interface TargetItem {
  id: number;
  itemType: number;
}

export type Resolved = { ok: true; ops: PatchOperation[] } | { ok: false; reason: string };

class Unresolvable extends Error {}

const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const quote = (value: unknown) => JSON.stringify(value);
const list = (names: readonly string[], limit = 20) =>
  names.length > limit ? `${names.slice(0, limit).join(', ')}, … (${names.length} in all)` : names.join(', ');

/**
 * Turns named changes into `PATCH /items/{id}` operations Jama accepts: fields by key or label of
 * the item's type (a label two fields share is refused, not guessed), pick-list values by option id
 * or name, users by id, username or email, dates as `yyyy-MM-dd`, rich text as the HTML given. The
 * first change that cannot be resolved — after one refresh of the reference data — yields a reason
 * naming the item, field, value and the valid choices.
 */
export async function resolveChanges(
  env: string,
  item: TargetItem,
  changes: readonly NamedChange[],
  resolver: ReferenceResolver,
): Promise<Resolved> {
  try {
    const ops: PatchOperation[] = [];
    for (const change of changes) {
      const where = `item ${item.id}: field ${quote(change.field)}`;
      const field = await fieldOf(env, item, change.field, resolver);
      const key = field.name as string;
      if (field.readOnly) throw new Unresolvable(`${where} is read-only`);
      const path = `/fields/${key}` as const;
      if (change.op === 'remove') ops.push({ op: 'remove', path });
      else
        ops.push({ op: change.op, path, value: await valueFor(env, field, change.value, where, resolver) });
    }
    return { ok: true, ops };
  } catch (error) {
    if (error instanceof Unresolvable) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The field a name means: its key, else its label (case-insensitively when that is unique). */
export function matchField(type: JamaItemType, name: string): JamaItemTypeField[] {
  const fields = type.fields ?? [];
  const byKey = fields.filter((f) => f.name === name);
  if (byKey.length) return byKey;
  const byLabel = fields.filter((f) => f.label === name);
  if (byLabel.length) return byLabel;
  const lower = name.toLowerCase();
  return fields.filter((f) => f.label?.toLowerCase() === lower);
}

async function fieldOf(
  env: string,
  item: TargetItem,
  name: string,
  resolver: ReferenceResolver,
): Promise<JamaItemTypeField> {
  const found = await resolver.find(env, itemTypes, ({ byId }) => {
    const type = byId.get(item.itemType) as JamaItemType | undefined;
    const matches = type ? matchField(type, name) : [];
    return matches.length ? { type, matches } : undefined;
  });
  const where = `item ${item.id}: field ${quote(name)}`;
  if (!found) {
    const type = await resolver.byId(env, itemTypes, item.itemType);
    if (!type) throw new Unresolvable(`${where}: the item's type ${item.itemType} is unknown to Jama`);
    const valid = (type.fields ?? []).filter((f) => !f.readOnly).map((f) => `${f.name} (${f.label})`);
    throw new Unresolvable(
      `${where} is not a field of item type ${type.id} (${type.display ?? type.typeKey}); valid: ${list(valid)}`,
    );
  }
  if (found.matches.length > 1) {
    const keys = found.matches.map((f) => f.name).join(', ');
    throw new Unresolvable(`${where} is ambiguous: the label names ${keys}; use the field key`);
  }
  return found.matches[0] as JamaItemTypeField;
}

async function valueFor(
  env: string,
  field: JamaItemTypeField,
  value: unknown,
  where: string,
  resolver: ReferenceResolver,
): Promise<unknown> {
  if (value === null) return null;
  const bad = (expected: string) => new Unresolvable(`${where}: value ${quote(value)} is not ${expected}`);
  switch (field.fieldType) {
    case 'LOOKUP':
      return option(env, field, value, where, resolver);
    case 'MULTI_LOOKUP': {
      if (!Array.isArray(value)) throw bad('a list of pick-list options');
      const out: number[] = [];
      for (const one of value) out.push(await option(env, field, one, where, resolver));
      return out;
    }
    case 'USER':
      return user(env, value, where, resolver);
    case 'DATE': {
      const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
      if (!match?.[1] || Number.isNaN(Date.parse(match[1]))) throw bad('an ISO date (yyyy-MM-dd)');
      return match[1];
    }
    case 'INTEGER': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (!Number.isSafeInteger(n)) throw bad('an integer');
      return n;
    }
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw bad('true or false');
      return value;
    case 'STRING':
    case 'TEXT':
    case 'TEXTAREA':
      // Rich text is HTML: sent as given, so markup the sender chose survives.
      if (typeof value !== 'string') throw bad('text');
      return value;
    default:
      return value;
  }
}

async function option(
  env: string,
  field: JamaItemTypeField,
  value: unknown,
  where: string,
  resolver: ReferenceResolver,
): Promise<number> {
  const pickList = field.pickList;
  if (pickList === undefined) throw new Unresolvable(`${where} has no pick list in Jama's item type`);
  const options = pickListOptions(pickList);
  const found = await resolver.find(env, options, ({ entries }) => matchOption(entries, value));
  if (found && !('ambiguous' in found)) return found.id;
  const names = (await resolver.all(env, options)).map((o) => `${o.name} (${o.id})`);
  const why = found ? 'names more than one option' : `is not an option of pick list ${pickList}`;
  throw new Unresolvable(`${where}: value ${quote(value)} ${why}; valid: ${list(names)}`);
}

/** An option by id, else by exact name, else by name ignoring case (when unique). */
export function matchOption(
  entries: readonly JamaPickListOption[],
  value: unknown,
): JamaPickListOption | { ambiguous: true } | undefined {
  if (typeof value === 'number') return entries.find((o) => o.id === value);
  if (typeof value !== 'string') return undefined;
  const exact = entries.filter((o) => o.name === value);
  const matches = exact.length ? exact : entries.filter((o) => o.name.toLowerCase() === value.toLowerCase());
  if (matches.length > 1) return { ambiguous: true };
  return matches[0];
}

async function user(
  env: string,
  value: unknown,
  where: string,
  resolver: ReferenceResolver,
): Promise<number> {
  const found = await resolver.find(env, users, ({ entries, byId }) => matchUser(entries, byId, value));
  if (found) return found.id;
  throw new Unresolvable(
    `${where}: value ${quote(value)} is not a Jama user; valid: a user id, username or email of an active user`,
  );
}

/** A user by id, username or email (emails ignore case). */
export function matchUser(
  entries: readonly JamaUser[],
  byId: ReadonlyMap<number, unknown>,
  value: unknown,
): JamaUser | undefined {
  if (typeof value === 'number') return byId.get(value) as JamaUser | undefined;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return entries.find((u) => u.username === value) ?? entries.find((u) => u.email?.toLowerCase() === lower);
}

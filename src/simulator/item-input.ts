import { PICK_LIST_OPTIONS } from './catalog';
import { badRequest } from './http-error';
import type { NewItem } from './store';
import type { JamaItemType, JamaItemTypeField, JamaParent } from './types';

/** The three JSON Patch operations Jama accepts on `PATCH /items/{id}`. */
export type PatchOp =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

const PATCH_PATH = /^\/fields\/([^/]+)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value may refer to besides pick-list options: the environment's users. */
export interface FieldContext {
  users: readonly { id: number }[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkValue(def: JamaItemTypeField, value: unknown, context: FieldContext): void {
  if (value === null) return;
  const fail = (expected: string) =>
    badRequest(`Field '${def.name}' expects ${expected}, got ${JSON.stringify(value)}.`);
  if (def.fieldType === 'LOOKUP') {
    // Jama stores option ids and refuses an option's name.
    const ok = PICK_LIST_OPTIONS.some((o) => o.pickList === def.pickList && o.id === value);
    if (!ok) throw fail(`an option id of pick list ${def.pickList}`);
  } else if (def.fieldType === 'USER') {
    if (!context.users.some((u) => u.id === value)) throw fail('a user id');
  } else if (def.fieldType === 'DATE') {
    if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
      throw fail('a date yyyy-MM-dd');
  } else if (def.fieldType === 'INTEGER') {
    if (!Number.isInteger(value)) throw fail('an integer');
  } else if (typeof value !== 'string') {
    throw fail('a string');
  }
}

/**
 * Checks fields against the item type: every name defined, values of the right kind, `name`
 * present. Read-only fields (`documentKey`, `globalId`) are dropped rather than refused, so a
 * client may send back an item it read. Returns the fields to store.
 */
export function validateFields(
  type: JamaItemType,
  fields: Record<string, unknown>,
  context: FieldContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const def = type.fields.find((f) => f.name === name);
    if (!def) {
      throw badRequest(`Field '${name}' is not defined for item type ${type.id} (${type.display}).`);
    }
    if (def.readOnly) continue;
    checkValue(def, value, context);
    out[name] = value;
  }
  if (typeof out.name !== 'string' || out.name.trim() === '') {
    throw badRequest(`Field 'name' is required for item type ${type.id} (${type.display}).`);
  }
  return out;
}

/** Parses and checks a `PATCH` body; 400 for anything but add/replace/remove on `/fields/<name>`. */
export function parsePatch(body: unknown, type: JamaItemType): PatchOp[] {
  if (!Array.isArray(body) || body.length === 0) {
    throw badRequest('The PATCH body must be a non-empty JSON array of {op, path, value} operations.');
  }
  return body.map((entry: unknown) => {
    if (!isObject(entry)) throw badRequest('Each PATCH operation must be an object {op, path, value}.');
    const { op, path } = entry;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw badRequest(`Unsupported PATCH operation '${String(op)}': Jama accepts add, replace and remove.`);
    }
    const field = typeof path === 'string' ? PATCH_PATH.exec(path)?.[1] : undefined;
    if (typeof path !== 'string' || field === undefined) {
      throw badRequest(`Unsupported PATCH path '${String(path)}': only /fields/<name> may be patched.`);
    }
    const def = type.fields.find((f) => f.name === field);
    if (!def) throw badRequest(`Field '${field}' is not defined for item type ${type.id} (${type.display}).`);
    if (def.readOnly) throw badRequest(`Field '${field}' is read-only.`);
    if (op === 'remove') return { op, path };
    if (!('value' in entry)) throw badRequest(`PATCH operation '${op}' on ${path} needs a value.`);
    return { op, path, value: entry.value };
  });
}

/** Applies checked operations to a copy of `fields`. */
export function applyPatch(
  fields: Record<string, unknown>,
  ops: readonly PatchOp[],
): Record<string, unknown> {
  const out = { ...fields };
  for (const op of ops) {
    const name = PATCH_PATH.exec(op.path)?.[1] ?? '';
    if (op.op === 'remove') delete out[name];
    else out[name] = op.value;
  }
  return out;
}

function parseParent(location: unknown): JamaParent {
  const parent = isObject(location) ? location.parent : undefined;
  if (isObject(parent) && Number.isInteger(parent.item)) return { item: parent.item as number };
  if (isObject(parent) && Number.isInteger(parent.project)) return { project: parent.project as number };
  throw badRequest('location.parent must be {"item": <id>} or {"project": <id>}.');
}

/** Reads the body of `POST /items`: `{project, itemType, childItemType?, location:{parent}, fields}`. */
export function parseNewItem(body: unknown): NewItem {
  if (!isObject(body))
    throw badRequest('The body must be a JSON object {project, itemType, location, fields}.');
  const { project, itemType, childItemType, fields, location } = body;
  if (!Number.isInteger(project)) throw badRequest('`project` must be an integer project id.');
  if (!Number.isInteger(itemType)) throw badRequest('`itemType` must be an integer item type id.');
  if (!isObject(fields)) throw badRequest('`fields` must be an object of field names to values.');
  const item: NewItem = {
    project: project as number,
    itemType: itemType as number,
    parent: parseParent(location),
    fields,
  };
  if (Number.isInteger(childItemType)) item.childItemType = childItemType as number;
  return item;
}

/**
 * Reads the body of `PUT /items/{id}` and returns its fields. The project and item type of an item
 * cannot change; sending others is refused.
 */
export function parseReplacement(body: unknown, current: { project: number; itemType: number }) {
  if (!isObject(body))
    throw badRequest('The body must be a JSON object {project, itemType, location, fields}.');
  const { project, itemType, fields } = body;
  if (project !== undefined && project !== current.project) {
    throw badRequest(`An item cannot move to another project with PUT (item is in ${current.project}).`);
  }
  if (itemType !== undefined && itemType !== current.itemType) {
    throw badRequest(`The item type of an item cannot change (item is of type ${current.itemType}).`);
  }
  if (!isObject(fields)) throw badRequest('`fields` must be an object of field names to values.');
  return fields;
}

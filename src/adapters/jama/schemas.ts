import { z } from 'zod';
import { parseJamaDate } from '../../core/jama-date';
import type { JamaRequestContext } from '../../core/jama-errors';
import { JamaValidationError } from '../../core/jama-errors';
import type {
  JamaActivity,
  JamaItem,
  JamaItemType,
  JamaProject,
  Page,
  RejectedEntry,
} from '../../core/jama-types';
import type { JamaPickListOption, JamaUser } from '../../core/reference/model';
import type { JamaRelationship, JamaRelationshipType } from '../../core/relationships/types';

/*
 * Lenient validation of Jama's answers at the adapter edge: unknown fields pass through, only what
 * jama-sync relies on is required, and optional fields are type-checked when present (a `null`
 * counts as absent).
 */

const dropNulls = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
    : value;

const loose = <S extends z.core.$ZodLooseShape>(shape: S) => z.preprocess(dropNulls, z.looseObject(shape));

const int = z.number().int();
const jamaDate = z.string().refine(
  (text) => {
    try {
      parseJamaDate(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a Jama date (yyyy-MM-ddTHH:mm:ss.SSS+0000)' },
);

/** An item: requires id, documentKey, project, itemType, modifiedDate (a Jama date) and fields. */
export const itemSchema: z.ZodType<JamaItem> = loose({
  id: int,
  documentKey: z.string(),
  globalId: z.string().exactOptional(),
  project: int,
  itemType: int,
  childItemType: int.exactOptional(),
  createdDate: jamaDate.exactOptional(),
  modifiedDate: jamaDate,
  lastActivityDate: jamaDate.exactOptional(),
  createdBy: int.exactOptional(),
  modifiedBy: int.exactOptional(),
  fields: loose({
    name: z.string().exactOptional(),
    description: z.string().exactOptional(),
    status: int.exactOptional(),
  }),
  location: loose({
    sortOrder: z.number().exactOptional(),
    globalSortOrder: z.number().exactOptional(),
    sequence: z.string().exactOptional(),
    parent: loose({ project: int.exactOptional(), item: int.exactOptional() }).exactOptional(),
  }).exactOptional(),
  lock: loose({
    locked: z.boolean(),
    lastLockedDate: z.string().exactOptional(),
    lockedBy: int.exactOptional(),
  }).exactOptional(),
  type: z.string().exactOptional(),
});

/** A project: requires id. */
export const projectSchema: z.ZodType<JamaProject> = loose({
  id: int,
  projectKey: z.string().exactOptional(),
  parent: int.exactOptional(),
  isFolder: z.boolean().exactOptional(),
  createdDate: z.string().exactOptional(),
  modifiedDate: z.string().exactOptional(),
  createdBy: int.exactOptional(),
  modifiedBy: int.exactOptional(),
  fields: loose({
    name: z.string().exactOptional(),
    description: z.string().exactOptional(),
  }).exactOptional(),
  type: z.string().exactOptional(),
});

/** An item type: requires id. */
export const itemTypeSchema: z.ZodType<JamaItemType> = loose({
  id: int,
  typeKey: z.string().exactOptional(),
  display: z.string().exactOptional(),
  displayPlural: z.string().exactOptional(),
  description: z.string().exactOptional(),
  image: z.string().exactOptional(),
  category: z.string().exactOptional(),
  fields: z
    .array(
      loose({
        id: int.exactOptional(),
        name: z.string().exactOptional(),
        label: z.string().exactOptional(),
        fieldType: z.string().exactOptional(),
        readOnly: z.boolean().exactOptional(),
        required: z.boolean().exactOptional(),
        pickList: int.exactOptional(),
      }),
    )
    .exactOptional(),
  widgets: z.array(z.unknown()).exactOptional(),
  system: z.boolean().exactOptional(),
  type: z.string().exactOptional(),
});

/** A pick-list option: requires id and name. */
export const pickListOptionSchema: z.ZodType<JamaPickListOption> = loose({
  id: int,
  name: z.string(),
  value: z.string().exactOptional(),
  active: z.boolean().exactOptional(),
  default: z.boolean().exactOptional(),
  sortOrder: int.exactOptional(),
  pickList: int.exactOptional(),
});

/** A user: requires id and username. */
export const userSchema: z.ZodType<JamaUser> = loose({
  id: int,
  username: z.string(),
  firstName: z.string().exactOptional(),
  lastName: z.string().exactOptional(),
  email: z.string().exactOptional(),
  active: z.boolean().exactOptional(),
});

/** A relationship: requires id, fromItem, toItem and relationshipType. */
export const relationshipSchema: z.ZodType<JamaRelationship> = loose({
  id: int,
  fromItem: int,
  toItem: int,
  relationshipType: int,
  suspect: z.boolean().exactOptional(),
});

/** A relationship type: requires id and name. */
export const relationshipTypeSchema: z.ZodType<JamaRelationshipType> = loose({
  id: int,
  name: z.string(),
  isDefault: z.boolean().exactOptional(),
});

/** An activity: requires id, date (a Jama date), eventType and objectType. */
export const activitySchema: z.ZodType<JamaActivity> = loose({
  id: int,
  date: jamaDate,
  details: z.string().exactOptional(),
  action: z.string().exactOptional(),
  user: int.exactOptional(),
  item: int.exactOptional(),
  eventType: z.string(),
  objectType: z.string(),
  type: z.string().exactOptional(),
});

const pageInfoSchema = z.looseObject({ startIndex: int, resultCount: int, totalResults: int });

const singleEnvelope = z.looseObject({ data: z.unknown() });
const listEnvelope = z.looseObject({
  meta: z.looseObject({ pageInfo: pageInfoSchema.optional() }).optional(),
  data: z.array(z.unknown()),
});
const createdEnvelope = z.looseObject({
  meta: z.looseObject({ id: int.optional(), location: z.string().optional() }),
});
/** The answer of `POST /rest/oauth/token`. */
export const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

function unexpected(context: JamaRequestContext, error: z.ZodError, prefix = ''): JamaValidationError {
  const issues = error.issues
    .slice(0, 3)
    .map(
      (issue) =>
        `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)'}: ${issue.message}`,
    )
    .join('; ');
  return new JamaValidationError({
    ...context,
    detail: `Jama answered ${context.method} ${context.path} with an unexpected body: ${issues}`,
    cause: error,
  });
}

/** Validates `body` against `schema`, throwing {@link JamaValidationError} that names the bad fields. */
export function parseBody<T>(
  schema: z.ZodType<T>,
  body: unknown,
  context: JamaRequestContext,
  prefix = '',
): T {
  const result = schema.safeParse(body);
  if (!result.success) throw unexpected(context, result.error, prefix);
  return result.data;
}

/** `{ meta, data: {…} }` → the validated `data`. */
export function parseSingle<T>(schema: z.ZodType<T>, body: unknown, context: JamaRequestContext): T {
  const { data } = parseBody(singleEnvelope, body, context);
  return parseBody(schema, data, context, 'data');
}

/**
 * `{ meta: { pageInfo }, data: […] }` → a validated page. Without `pageInfo`, the page is taken as
 * the last. With `isolate`, a malformed entry goes to `rejected` with its reason instead of failing
 * the whole page (one bad item must not stop the rest).
 */
export function parsePage<T>(
  schema: z.ZodType<T>,
  body: unknown,
  context: JamaRequestContext,
  startAt: number,
  isolate = false,
): Page<T> {
  const envelope = parseBody(listEnvelope, body, context);
  const data: T[] = [];
  const rejected: RejectedEntry[] = [];
  for (const [index, entry] of envelope.data.entries()) {
    if (!isolate) data.push(parseBody(schema, entry, context, `data.${index}`));
    else {
      const result = schema.safeParse(entry);
      if (result.success) data.push(result.data);
      else
        rejected.push(
          rejectedEntry(entry, index, unexpected(context, result.error, `data.${index}`).message),
        );
    }
  }
  const info = envelope.meta?.pageInfo;
  const count = envelope.data.length;
  return {
    startIndex: info?.startIndex ?? startAt,
    resultCount: info?.resultCount ?? count,
    totalResults: info?.totalResults ?? startAt + count,
    data,
    ...(rejected.length ? { rejected } : {}),
  };
}

/** What can still be read of a malformed entry. */
function rejectedEntry(entry: unknown, index: number, reason: string): RejectedEntry {
  const raw = (entry !== null && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
  const int = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 255 ? v : undefined);
  const out: RejectedEntry = { index, reason };
  const [itemId, project] = [int(raw.id), int(raw.project)];
  const [documentKey, lastActivityDate] = [text(raw.documentKey), text(raw.lastActivityDate)];
  if (itemId !== undefined) out.itemId = itemId;
  if (project !== undefined) out.project = project;
  if (documentKey !== undefined) out.documentKey = documentKey;
  if (lastActivityDate !== undefined) out.lastActivityDate = lastActivityDate;
  return out;
}

/** `POST` answers `{ meta: { status: 'Created', id, location } }` → the new id. */
export function parseCreatedId(body: unknown, context: JamaRequestContext): number {
  const { meta } = parseBody(createdEnvelope, body, context);
  const fromLocation = meta.location === undefined ? undefined : /\/(\d+)\/?$/.exec(meta.location)?.[1];
  const id = meta.id ?? (fromLocation === undefined ? undefined : Number(fromLocation));
  if (id === undefined) {
    throw new JamaValidationError({
      ...context,
      detail: `Jama answered ${context.method} ${context.path} without the new id (meta.id or meta.location)`,
    });
  }
  return id;
}

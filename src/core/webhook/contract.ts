import { z } from 'zod';

/**
 * The native webhook contract: `{"events": [{type, itemId, projectId?, documentKey?, fields?,
 * occurredAt?}]}`. Mapped sources are turned into this shape first, so one schema validates both.
 * Published as JSON Schema in docs/webhooks.md (a test keeps the two equal).
 */

/** Events one request may carry. */
export const MAX_EVENTS = 1000;
/** Field changes one `item.push` event may carry (a push job's limit). */
export const MAX_PUSH_FIELDS = 100;
/** Nesting of a pushed field value; deeper values are refused before anything serialises them. */
export const MAX_VALUE_DEPTH = 16;

/** The event types of the native contract. */
export const NATIVE_TYPES = ['item.created', 'item.updated', 'item.deleted', 'item.push'] as const;

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);
const OCCURRED_AT_RANGE = 'expected epoch milliseconds or an ISO 8601 date-time between 2000 and 2100';
/** Characters SQS cannot carry and JSON.stringify does not escape (controls and lone surrogates are escaped). */
const NONCHARACTER = /[\uFFFE\uFFFF]/;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const occurredAt = z
  .union(
    [
      z.number().int().min(MIN_MS, OCCURRED_AT_RANGE).max(MAX_MS, OCCURRED_AT_RANGE),
      z
        .string()
        .regex(ISO_DATE_TIME, OCCURRED_AT_RANGE)
        .refine((v) => Date.parse(v) >= MIN_MS && Date.parse(v) <= MAX_MS, OCCURRED_AT_RANGE)
        .meta({ format: 'date-time' }),
    ],
    { error: OCCURRED_AT_RANGE },
  )
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
  .meta({
    description:
      'When the change happened: epoch milliseconds or ISO 8601 with a zone. Orders and guards pushes (default: when the webhook accepted them) and dates deletes.',
  });

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const base = {
  itemId: id.meta({ description: 'The Jama item id.' }),
  projectId: id.optional().meta({ description: 'The Jama project id, if known.' }),
  documentKey: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^\p{Cc}\uFFFE\uFFFF]+$/u, 'no control characters or U+FFFE/U+FFFF')
    .optional()
    .meta({ description: "The item's documentKey, if known: lets the worker fetch 50 items per call." }),
  occurredAt: occurredAt.optional(),
};

const pushFields = z
  .record(
    z
      .string()
      .regex(
        /^[^\p{Cc}\s/\uFFFE\uFFFF](?:[^\p{Cc}/\uFFFE\uFFFF]{0,126}[^\p{Cc}\s/\uFFFE\uFFFF])?$/u,
        'a Jama field key or label (1–128 characters; no `/`, control characters or outer spaces)',
      ),
    z.unknown(),
    {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `\`${String(issue.origin === 'record' ? issue.input : '')}\` is not a Jama field name`
          : undefined,
    },
  )
  .superRefine((fields, ctx) => {
    const count = Object.keys(fields).length;
    if (count === 0 || count > MAX_PUSH_FIELDS)
      ctx.addIssue({ code: 'custom', message: `expected 1–${MAX_PUSH_FIELDS} fields, got ${count}` });
    const problem = valueProblem(fields);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Relationship event types of the native contract (not available to mapped sources). */
export const RELATIONSHIP_TYPES = [
  'relationship.created',
  'relationship.updated',
  'relationship.deleted',
] as const;

const relationshipEventSchema = z.object({
  type: z.enum(RELATIONSHIP_TYPES).meta({
    description: 'Queues a re-read of the relationship from Jama; one Jama no longer has is tombstoned.',
  }),
  relationshipId: id.meta({ description: 'The Jama relationship id.' }),
  fromItem: id.optional().meta({ description: 'Its upstream item, if known (informational).' }),
  toItem: id.optional().meta({ description: 'Its downstream item, if known (informational).' }),
  projectId: id.optional().meta({ description: 'The project of its upstream item, if known.' }),
  occurredAt: occurredAt.optional(),
});

/** One native event; `item.push` needs `fields`, the others ignore them. */
export const nativeEventSchema = z.discriminatedUnion('type', [
  relationshipEventSchema,
  z.object({
    type: z
      .enum(['item.created', 'item.updated', 'item.deleted'])
      .meta({ description: 'created/updated queue a pull of the item; deleted queues a tombstone.' }),
    ...base,
    fields: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'Ignored: the worker reads the item from Jama.' }),
  }),
  z.object({
    type: z.literal('item.push').meta({ description: 'Writes `fields` to the Jama item.' }),
    ...base,
    fields: pushFields.meta({
      description:
        'Field values to write to Jama (each a `replace`): a field by key (`priority$89`) or label ("Priority"); a pick-list value by option id or name, a user by id, username or email, a date as yyyy-MM-dd, rich text as HTML.',
    }),
    force: z.boolean().optional().meta({
      description:
        'Last writer wins: apply even if someone changed the item in Jama after `occurredAt` (default false: Jama wins).',
    }),
  }),
]);

/** A native request body: `{"events": [...]}`. */
export const nativeBodySchema = z
  .object({
    events: z.array(nativeEventSchema).max(MAX_EVENTS).meta({
      description: 'Changes to Jama items and relationships; an empty list is accepted and queues nothing.',
    }),
  })
  .meta({
    title: 'jama-sync webhook body',
    description: 'POST /webhooks/{source}, signed with the source secret. Unknown properties are ignored.',
  });

/** A validated event, `occurredAt` in epoch ms. */
export type NativeEvent = z.output<typeof nativeEventSchema>;

/** Why `value` cannot be queued as is (too deep, or a character SQS refuses), or undefined. */
export function valueProblem(value: unknown): string | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v === 'string') {
      if (NONCHARACTER.test(v)) return 'values must not contain U+FFFE or U+FFFF';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_VALUE_DEPTH) return `values may nest at most ${MAX_VALUE_DEPTH} levels`;
      for (const [key, child] of Object.entries(v)) {
        if (NONCHARACTER.test(key)) return 'keys must not contain U+FFFE or U+FFFF';
        stack.push({ v: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Zod issues as one line a sender can act on (the first few, then how many more). `source` may
 * name where a path's value came from (a mapping's expression).
 */
export function describeIssues(
  error: z.ZodError,
  source: (path: readonly PropertyKey[]) => string | undefined = () => undefined,
  limit = 5,
): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const from = source(issue.path);
    const where = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return `${where}${from ? ` (from \`${from}\`)` : ''}: ${issue.message}`;
  });
  const more = error.issues.length - limit;
  return more > 0 ? `${lines.join('; ')}; (and ${more} more)` : lines.join('; ');
}

/** The native contract as JSON Schema (draft 2020-12), as published in docs/webhooks.md. */
export function nativeContractJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(nativeBodySchema, { io: 'input' }) as Record<string, unknown>;
}

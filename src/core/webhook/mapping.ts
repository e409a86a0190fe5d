import * as jmespath from 'jmespath';
import { z } from 'zod';
import { MAX_EVENTS, NATIVE_TYPES } from './contract';
import { WebhookError } from './errors';

/** jmespath ships `compile` (a syntax check that evaluates nothing); its types only declare `search`. */
const { compile } = jmespath as unknown as { compile(expression: string): unknown };

function syntaxError(expression: string): string | undefined {
  try {
    compile(expression);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const expression = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((value, ctx) => {
    const problem = syntaxError(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a JMESPath expression: ${problem}` });
  });

/**
 * How to turn another payload shape into native events: JMESPath expressions, evaluated on each
 * element selected by `events` (or on the whole body when `events` is absent).
 */
export const mappingSchema = z.strictObject({
  /** Selects the events: an array, one object (wrapped as one event), or null (no events). @default the whole body, as one event */
  events: expression.optional(),
  type: expression,
  itemId: expression,
  projectId: expression.optional(),
  documentKey: expression.optional(),
  fields: expression.optional(),
  occurredAt: expression.optional(),
  /** The sender's type → a native type, or `ignore` to drop the event; `*` matches any other non-native type. */
  typeMap: z.record(z.string().min(1), z.enum([...NATIVE_TYPES, 'ignore'])).optional(),
});

/** A validated mapping. */
export type MappingConfig = z.infer<typeof mappingSchema>;
/** How a source's payload is read: the native contract, or a mapping to it. */
export type Mapping = 'native' | MappingConfig;

const OPTIONAL = ['projectId', 'documentKey', 'fields', 'occurredAt'] as const;

/** Elements a mapping's `events` may select (ignored ones included); more are refused unmapped. */
export const MAX_MAPPED_ELEMENTS = 4 * MAX_EVENTS;

/** Native-shaped events (not yet validated) and how many the type map dropped. */
export interface MappedEvents {
  events: unknown[];
  ignored: number;
}

function evaluate(mapping: MappingConfig, key: keyof MappingConfig, data: unknown): unknown {
  const expr = mapping[key] as string;
  try {
    return jmespath.search(data, expr);
  } catch (error) {
    throw new WebhookError(
      'WEBHOOK_SCHEMA',
      `mapping \`${key}\` (\`${expr}\`) failed on this payload: ${(error as Error).message}`,
    );
  }
}

function mapType(mapping: MappingConfig, raw: unknown): unknown {
  const typeMap = mapping.typeMap;
  if (!typeMap || (typeof raw !== 'string' && typeof raw !== 'number')) return raw;
  const key = String(raw);
  if (Object.hasOwn(typeMap, key)) return typeMap[key];
  if (!(NATIVE_TYPES as readonly string[]).includes(key) && Object.hasOwn(typeMap, '*')) return typeMap['*'];
  return raw;
}

/**
 * Applies a mapping to a parsed body. Expressions yielding null leave the key out, so the native
 * schema decides what is missing. A JMESPath runtime error (a function given the wrong type) is
 * the payload's fault: a 400 naming the expression.
 */
export function applyMapping(mapping: MappingConfig, body: unknown): MappedEvents {
  const selected = mapping.events === undefined ? body : evaluate(mapping, 'events', body);
  const elements =
    selected === null || selected === undefined ? [] : Array.isArray(selected) ? selected : [selected];
  // Refuse before mapping: each element costs several expressions, and only MAX_EVENTS may pass.
  if (elements.length > MAX_MAPPED_ELEMENTS) {
    throw new WebhookError(
      'WEBHOOK_SCHEMA',
      `mapping \`events\` selected ${elements.length} elements; at most ${MAX_MAPPED_ELEMENTS} are mapped per request`,
    );
  }
  const events: unknown[] = [];
  let ignored = 0;
  for (const element of elements) {
    const type = mapType(mapping, evaluate(mapping, 'type', element));
    if (type === 'ignore') {
      ignored++;
      continue;
    }
    if (events.length === MAX_EVENTS) {
      throw new WebhookError('WEBHOOK_SCHEMA', `events: the mapping yields more than ${MAX_EVENTS} events`);
    }
    const event: Record<string, unknown> = { type, itemId: evaluate(mapping, 'itemId', element) };
    for (const key of OPTIONAL) {
      if (mapping[key] === undefined) continue;
      const value = evaluate(mapping, key, element);
      if (value !== null && value !== undefined) event[key] = value;
    }
    events.push(event);
  }
  return { events, ignored };
}

/** Labels an issue path of mapped events with the expression that produced the value. */
export function expressionFor(mapping: MappingConfig, path: readonly PropertyKey[]): string | undefined {
  const key = path[2];
  const known: readonly unknown[] = ['type', 'itemId', ...OPTIONAL];
  if (path[0] !== 'events' || !known.includes(key)) return undefined;
  return mapping[key as (typeof OPTIONAL)[number]];
}

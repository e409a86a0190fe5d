import { badRequest } from './http-error';
import { describeBadJamaDate, tryParseJamaDate } from './query-date';

/** Jama's page size limit. */
export const MAX_RESULTS = 50;
/** Page size when `maxResults` is absent. */
export const DEFAULT_MAX_RESULTS = 20;

function toInt(name: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw badRequest(`Expected \`${name}\` to be an integer ≥ ${min}, got \`${value}\`.`);
  }
  return n;
}

/** An optional integer query parameter. */
export function intParam(params: URLSearchParams, name: string, min = 0): number | undefined {
  const value = params.get(name);
  return value === null ? undefined : toInt(name, value, min);
}

/** A required integer query parameter; 400 when missing. */
export function requiredIntParam(params: URLSearchParams, name: string): number {
  const value = intParam(params, name);
  if (value === undefined) throw badRequest(`The query parameter \`${name}\` is required.`);
  return value;
}

/** A repeated integer parameter (`project=1&project=2`). */
export function intList(params: URLSearchParams, name: string): number[] {
  return params.getAll(name).map((value) => toInt(name, value, 0));
}

/** `startAt` (default 0) and `maxResults` (default 20, at most 50). */
export function paging(params: URLSearchParams): { startAt: number; maxResults: number } {
  const maxResults = intParam(params, 'maxResults', 1) ?? DEFAULT_MAX_RESULTS;
  if (maxResults > MAX_RESULTS) {
    throw badRequest(`maxResults must be ≤ ${MAX_RESULTS}, got ${maxResults}.`);
  }
  return { startAt: intParam(params, 'startAt') ?? 0, maxResults };
}

/** An inclusive interval of epoch ms. */
export interface DateRange {
  from: number;
  to: number;
}

/**
 * A repeated date parameter: one value means on or after it, two an inclusive range.
 * `undefined` when absent; 400 for an unparsable date or more than two values.
 */
export function dateRange(params: URLSearchParams, name: string): DateRange | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 2) throw badRequest(`\`${name}\` takes one value (on or after) or two (a range).`);
  const [from, to] = values.map((value) => {
    const ms = tryParseJamaDate(value);
    if (ms === undefined) throw badRequest(describeBadJamaDate(name, value));
    return ms;
  }) as [number, number | undefined];
  return { from, to: to ?? Number.POSITIVE_INFINITY };
}

export function inRange(ms: number, range: DateRange | undefined): boolean {
  return range === undefined || (ms >= range.from && ms <= range.to);
}

/** One `sortBy` key: `field.asc` or `field.desc`. */
export interface SortKey<F extends string> {
  field: F;
  descending: boolean;
}

/** Parses repeated `sortBy` values against the fields that may be sorted on. */
export function sortKeys<F extends string>(params: URLSearchParams, allowed: readonly F[]): SortKey<F>[] {
  return params.getAll('sortBy').map((value) => {
    const match = /^(\w+)\.(asc|desc)$/.exec(value);
    const field = match?.[1] as F | undefined;
    if (!match || field === undefined || !allowed.includes(field)) {
      throw badRequest(
        `Invalid sortBy '${value}': expected <field>.asc or <field>.desc with field one of ${allowed.join(', ')}.`,
      );
    }
    return { field, descending: match[2] === 'desc' };
  });
}

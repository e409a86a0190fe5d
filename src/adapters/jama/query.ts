import { formatJamaDate } from '../../core/jama-date';
import { type DateFilter, JAMA_MAX_RESULTS } from '../../core/ports/jama-api';

/** A query parameter's value; `undefined` leaves the parameter out. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/**
 * `?a=1&b=x&b=y`: arrays become repeated parameters, as Jama expects. `+` in dates is encoded as
 * `%2B`, so Jama does not read it as a space.
 */
export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) search.append(name, String(v));
    else search.append(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** `[from]` / `[from, to]` in epoch ms → Jama date strings. */
export function dateFilter(filter: DateFilter | undefined): string[] | undefined {
  return filter?.map(formatJamaDate);
}

/** Throws a RangeError naming the argument unless `value` is a positive integer (an id). */
export function assertId(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\``);
  }
}

/** Validates paging arguments: `startAt` ≥ 0, 1 ≤ `maxResults` ≤ 50. */
export function paging(
  startAt: number | undefined,
  maxResults: number | undefined,
): { startAt: number; maxResults: number } {
  const start = startAt ?? 0;
  const max = maxResults ?? JAMA_MAX_RESULTS;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`Expected \`startAt\` to be an integer ≥ 0, got \`${String(startAt)}\``);
  }
  if (!Number.isSafeInteger(max) || max < 1 || max > JAMA_MAX_RESULTS) {
    throw new RangeError(
      `Expected \`maxResults\` to be an integer from 1 to ${JAMA_MAX_RESULTS}, got \`${String(maxResults)}\``,
    );
  }
  return { startAt: start, maxResults: max };
}

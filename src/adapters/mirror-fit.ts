import type { JamaItem } from '../core/jama-types';

/** DynamoDB's item limit is 400 KB (names and values); a mirror row keeps this much room for its own attributes. */
export const MAX_ITEM_BYTES = 350 * 1024;
/** Marks where a value was cut. */
export const TRUNCATION_MARK = '…[truncated by jama-sync]';

/** An item cut to fit, and the paths of the values that were cut (empty if it fitted as it was). */
export interface Fitted {
  item: JamaItem;
  truncated: string[];
  /** The item's size before and after (bytes of JSON). */
  bytes: { before: number; after: number };
}

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * Fits an item under `maxBytes` by cutting its longest strings (rich-text fields, usually), longest
 * first, each to what the excess allows. Everything else — ids, dates, keys, short fields — stays
 * exact, so the row still sorts, versions and sweeps correctly; the row records which paths were cut.
 */
export function fitItem(item: JamaItem, maxBytes = MAX_ITEM_BYTES): Fitted {
  const before = size(item);
  if (before <= maxBytes) return { item, truncated: [], bytes: { before, after: before } };
  const copy = structuredClone(item) as unknown as Record<string, unknown>;
  const strings: { path: string[]; length: number }[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string' && node.length > 1024) strings.push({ path, length: node.length });
    else if (node !== null && typeof node === 'object')
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
  };
  walk(copy, []);
  strings.sort((a, b) => b.length - a.length);
  const truncated: string[] = [];
  let excess = before - maxBytes;
  for (const { path } of strings) {
    if (excess <= 0) break;
    const parent = path
      .slice(0, -1)
      .reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, copy);
    const key = path.at(-1) as string;
    const text = parent[key] as string;
    const textBytes = Buffer.byteLength(text);
    // Bytes per character may exceed 1: keep a prefix whose bytes cover what must go.
    const keepBytes = Math.max(1024, textBytes - excess - TRUNCATION_MARK.length * 3);
    const kept = Buffer.from(text)
      .subarray(0, keepBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
    parent[key] = `${kept}${TRUNCATION_MARK}`;
    excess -= textBytes - Buffer.byteLength(parent[key] as string);
    truncated.push(path.join('.'));
  }
  return { item: copy as unknown as JamaItem, truncated, bytes: { before, after: size(copy) } };
}

import { STATUS_CODES } from 'node:http';
import { formatJamaDate } from './query-date';

/** Jama's paging block of list answers. */
export interface PageInfo {
  startIndex: number;
  resultCount: number;
  totalResults: number;
}

/** `meta.status` is the HTTP reason phrase, as Jama writes it ("OK", "Not Found", …). */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** A page of a list: `{meta:{status,timestamp,pageInfo},links,linked,data:[…]}`. */
export function listEnvelope<T>(data: readonly T[], pageInfo: PageInfo, now: number) {
  return {
    meta: { status: 'OK', timestamp: formatJamaDate(now), pageInfo },
    links: {},
    linked: {},
    data,
  };
}

/** One resource: like a list answer without `pageInfo`, and `data` is an object. */
export function singleEnvelope<T>(data: T, now: number) {
  return { meta: { status: 'OK', timestamp: formatJamaDate(now) }, links: {}, linked: {}, data };
}

/** The answer to a successful `PUT`/`PATCH`. */
export function okEnvelope(now: number) {
  return { meta: { status: 'OK', timestamp: formatJamaDate(now) } };
}

/** The answer to a `POST` that created a resource. */
export function createdEnvelope(id: number, location: string, now: number) {
  return { meta: { status: 'Created', timestamp: formatJamaDate(now), id, location } };
}

/** An error: the reason phrase in `meta.status`, the explanation in `meta.message`. */
export function errorEnvelope(status: number, message: string, now: number) {
  return { meta: { status: reasonPhrase(status), timestamp: formatJamaDate(now), message } };
}

/** Slices one page out of an already filtered and ordered list. */
export function page<T>(all: readonly T[], startAt: number, maxResults: number) {
  const data = all.slice(startAt, startAt + maxResults);
  return { data, pageInfo: { startIndex: startAt, resultCount: data.length, totalResults: all.length } };
}

import type { JamaSimulator } from '../../../src/simulator/server';

/** Basic credentials of the simulator's default user. */
export const BASIC = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
/** Jama's timestamp format, as the contract promises it. */
export const JAMA_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field by the tests
  body: any;
}

/**
 * One HTTP call with Node's own fetch (no client library): `path` is relative to the REST base
 * unless it starts with `/rest/` or `/__control/`. Sends Basic auth unless headers say otherwise.
 */
export async function call(
  sim: JamaSimulator,
  path: string,
  init: { method?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const absolute = path.startsWith('/rest/') || path.startsWith('/__control/') ? path : `/rest/v1${path}`;
  const headers: Record<string, string> = { Authorization: BASIC, ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${sim.url}${absolute}`, {
    method: init.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Encodes a Jama date for a query string ('+' must travel as %2B). */
export const q = (value: string) => encodeURIComponent(value);

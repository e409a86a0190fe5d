/**
 * What the contestants other than jama-sync share: a plain HTTP Jama client as a typical script
 * writes one (OAuth client credentials, token cached per process, no limiter of its own), an
 * in-memory sink, Jama's retry schedule without jitter, and a small task pool.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffScheduleMs } from '../../src/core/backoff';
import type { JamaSimulator } from '../../src/simulator/server';
import type { Content, Snapshot } from './types';

export interface JamaAnswer {
  status: number;
  body?: { data?: unknown; meta?: { pageInfo?: { totalResults?: number } } } | undefined;
}

interface RawItem {
  id: number;
  modifiedDate?: string;
  fields?: unknown;
}

/** One process's client: fetches its own token on first use (the token call counts against the limit). */
export class PlainJama {
  private token: Promise<string | undefined> | undefined;

  constructor(
    private readonly simulator: JamaSimulator,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * GET `path` under /rest/v1; a token answered 429 makes this answer 429 too. Stops before the
   * call once the cap has struck; a call in flight finishes (at most the simulator's latency).
   * The signal is not given to fetch: undici keeps each request's abort listener until the request
   * is garbage-collected, and thousands of them pile up on the one signal.
   */
  async get(path: string): Promise<JamaAnswer> {
    this.signal.throwIfAborted();
    this.token ??= this.fetchToken();
    const token = await this.token;
    if (token === undefined) {
      this.token = undefined;
      return { status: 429 };
    }
    const res = await fetch(`${this.simulator.url}/rest/v1${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    const body = (await res.json()) as JamaAnswer['body'];
    return { status: res.status, body };
  }

  private async fetchToken(): Promise<string | undefined> {
    const [client] = this.simulator.options.clients;
    const basic = Buffer.from(`${client?.clientId}:${client?.clientSecret}`).toString('base64');
    const res = await fetch(`${this.simulator.url}/rest/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200) return undefined;
    return body.access_token;
  }
}

/** A downstream copy keyed by item id; writes overwrite (no ordering guard, as in most scripts). */
export class MemorySink {
  readonly items: Snapshot = new Map();

  /** Writes the item(s) of a successful answer; returns how many. */
  write(answer: JamaAnswer): number {
    const data = answer.body?.data;
    const items = (Array.isArray(data) ? data : [data]) as RawItem[];
    for (const item of items) {
      if (typeof item?.id !== 'number') continue;
      this.items.set(item.id, { modifiedDate: item.modifiedDate, fields: item.fields });
    }
    return items.length;
  }

  snapshot(): Snapshot {
    return new Map<number, Content>(this.items);
  }
}

/**
 * Calls `attempt` until it answers other than 429, sleeping 3, 5, 8, 13 s in between (Jama's
 * schedule, no jitter); gives up after `retries` retries and returns the last answer.
 */
export async function withJamaRetries(
  attempt: () => Promise<JamaAnswer>,
  signal: AbortSignal,
  retries = 4,
): Promise<JamaAnswer> {
  for (let retry = 0; ; retry++) {
    const answer = await attempt();
    if (answer.status !== 429 || retry >= retries) return answer;
    await sleep(backoffScheduleMs(retry), undefined, { signal });
  }
}

/** Runs `task` over `inputs` with at most `concurrency` at once; each slot keeps its own state. */
export async function pool<T, S>(
  inputs: readonly T[],
  concurrency: number,
  slotState: () => S,
  task: (input: T, state: S) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const slot = async () => {
    const state = slotState();
    while (next < inputs.length && !signal.aborted) await task(inputs[next++] as T, state);
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
}

/** `/items?project=P` paging, with Jama's `startAt` and `maxResults`. */
export const projectPage = (projectId: number, startAt: number, maxResults: number) =>
  `/items?project=${projectId}&startAt=${startAt}&maxResults=${maxResults}`;

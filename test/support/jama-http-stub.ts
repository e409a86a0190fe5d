import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { JamaClient } from '../../src/adapters/jama/jama-client';
import type { JamaClientOptions } from '../../src/adapters/jama/options';
import type { AcquireOptions, RateLimiter } from '../../src/core/ports/rate-limiter';

/** One request as the fake Jama saw it; `start`/`end` are `performance.now()` ms. */
export interface Seen {
  method: string;
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  start: number;
  end: number;
}

export type Reply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; text?: string; delayMs?: number }
  | 'hang'
  | 'reset';

export type Route = (request: Seen) => Reply | Promise<Reply>;

export interface JamaHttpStub {
  url: string;
  requests: Seen[];
  /** Requests other than the OAuth token request. */
  rest(): Seen[];
  close(): Promise<void>;
}

/** A tiny Jama on 127.0.0.1:0 answering through `route`; `log` gets `METHOD path` per request. */
export async function startJamaHttpStub(route: Route, log?: string[]): Promise<JamaHttpStub> {
  const requests: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const seen: Seen = {
        method: req.method ?? 'GET',
        path: url.pathname,
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        start: performance.now(),
        end: Number.NaN,
      };
      requests.push(seen);
      log?.push(`${seen.method} ${seen.path}`);
      const reply = await route(seen);
      if (reply === 'hang') return;
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      const body = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json);
      res.on('finish', () => {
        seen.end = performance.now();
      });
      res.writeHead(reply.status ?? 200, {
        ...(reply.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...reply.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rest: () => requests.filter((r) => r.path !== '/rest/oauth/token'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fake limiter that lets every call through and remembers what it was asked. */
export class CountingLimiter implements RateLimiter {
  acquired = 0;
  acquireOptions: (AcquireOptions | undefined)[] = [];
  throttled: (number | undefined)[] = [];
  /** When each refused call went, as the client reported it. */
  sentAt: (number | undefined)[] = [];

  constructor(private readonly log?: string[]) {}

  async acquire(options?: AcquireOptions): Promise<void> {
    this.acquired += 1;
    this.acquireOptions.push(options);
    this.log?.push('acquire');
  }

  async onThrottled(retryAfterMs?: number, sentAt?: number): Promise<void> {
    this.throttled.push(retryAfterMs);
    this.sentAt.push(sentAt);
    this.log?.push('throttled');
  }
}

export const TOKEN_PATH = '/rest/oauth/token';

export const tokenReply = (token = 'tok-1', expiresIn = 3599): Reply => ({
  json: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: 'read write' },
});

/** A Jama item as Jama sends it. */
export function item(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    documentKey: `P1-REQ-${id}`,
    globalId: `GID-${id}`,
    project: 1,
    itemType: 24,
    createdDate: '2021-04-23T19:56:56.000+0000',
    modifiedDate: '2021-04-24T08:00:00.000+0000',
    lastActivityDate: '2021-04-24T08:00:00.000+0000',
    createdBy: 7,
    modifiedBy: 7,
    fields: { name: `Item ${id}`, description: '<p>text</p>', status: 601 },
    location: { sortOrder: 0, globalSortOrder: id, sequence: '1.1', parent: { item: 5 } },
    lock: { locked: false, lastLockedDate: '2021-04-23T19:56:56.000+0000' },
    type: 'items',
    ...overrides,
  };
}

export const single = (data: unknown): Reply => ({
  json: { meta: { status: 'OK', timestamp: 'now' }, links: {}, data },
});

export const page = (data: unknown[], startIndex: number, totalResults: number): Reply => ({
  json: {
    meta: { status: 'OK', pageInfo: { startIndex, resultCount: data.length, totalResults } },
    links: {},
    linked: {},
    data,
  },
});

/** Serves `all` in pages honouring `startAt`/`maxResults` (Jama's default page is 20). */
export function pageOf(all: unknown[], request: Seen, delayMs = 0): Reply {
  const startAt = Number(request.url.searchParams.get('startAt') ?? 0);
  const max = Number(request.url.searchParams.get('maxResults') ?? 20);
  const reply = page(all.slice(startAt, startAt + max), startAt, all.length);
  return typeof reply === 'object' ? { ...reply, delayMs } : reply;
}

export const jamaError = (status: number, reason: string, message: string): Reply => ({
  status,
  json: { meta: { status: reason, timestamp: 'now', message } },
});

export const CLIENT_ID = 'jama-sync-client-id';
export const CLIENT_SECRET = 's3cr3t-client-secret-value';

/** A client of `fake` with OAuth credentials and `limiter`; `overrides` replace any option. */
export function clientFor(
  fake: JamaHttpStub | string,
  limiter: RateLimiter,
  overrides: Partial<JamaClientOptions> = {},
): JamaClient {
  return new JamaClient({
    url: typeof fake === 'string' ? fake : fake.url,
    credentials: { type: 'oauth', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    limiter,
    ...overrides,
  });
}

/**
 * Starts stubs for the calling suite and closes them after each of its tests (the suites'
 * `let fake; afterEach(close)` block, once).
 */
export function stubsPerTest(): (route: Route, log?: string[]) => Promise<JamaHttpStub> {
  const open: JamaHttpStub[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((stub) => stub.close()));
  });
  return async (route, log) => {
    const stub = await startJamaHttpStub(route, log);
    open.push(stub);
    return stub;
  };
}

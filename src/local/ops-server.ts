import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJamaSyncError, JobInvalidError } from '../core/errors';
import { DASHBOARD_HTML } from './dashboard-page';

export interface OpsHandlers {
  /** Counters for `jama-sync status`. */
  stats(): unknown;
  /** Starts a reconciliation (the request JSON of the reconcile function) and resolves with its summary. */
  reconcile(request: unknown): Promise<unknown>;
  /** The dashboard's figures (src/local/dashboard.ts). */
  dashboard(): Promise<unknown>;
  /** Asks Jama whether projects and items exist (`{"env", "projects"?, "items"?}`), before work is queued for them. */
  check(request: unknown): Promise<unknown>;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/** The largest request body accepted (a reconcile request is a few dozen bytes). */
const MAX_BODY = 16 * 1024;

function reply(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new JobInvalidError('the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new JobInvalidError('the request body is not JSON');
  }
}

/**
 * The local process's operator endpoint on 127.0.0.1, so that operator commands run elsewhere can
 * ask it for Jama work (a reconciliation needs its Jama credentials and limiter) and its counters:
 * `GET /stats`, `POST /reconcile {"mode", "projects"?, "env"?}`, `POST /check {"env", "projects"?,
 * "items"?}`, and the live dashboard:
 * `GET /dashboard` (the page, no data) and `GET /dashboard/data`. Every request but the page needs
 * `Authorization: Bearer <token>`; the token is in the owner-only state file.
 */
export async function startOpsServer(options: { token: string; handlers: OpsHandlers }): Promise<OpsServer> {
  const { token, handlers } = options;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    // The page holds no data: it reads the token from its URL's fragment and asks for the data with it.
    if (req.method === 'GET' && path === '/dashboard') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
      return res.end(DASHBOARD_HTML);
    }
    if (!authorized(req, token))
      return reply(res, 401, { error: { code: 'UNAUTHORIZED', message: 'bad token' } });
    const route = `${req.method} ${path}`;
    if (route === 'GET /stats') return reply(res, 200, handlers.stats());
    if (route === 'GET /dashboard/data') {
      handlers.dashboard().then(
        (data) => reply(res, 200, data),
        (error: unknown) =>
          reply(res, 502, {
            error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
          }),
      );
      return;
    }
    const post =
      route === 'POST /reconcile' ? handlers.reconcile : route === 'POST /check' ? handlers.check : undefined;
    if (!post) return reply(res, 404, { error: { code: 'NOT_FOUND', message: route } });
    readJson(req)
      .then((request) => post(request))
      .then(
        (summary) => reply(res, 200, summary),
        (error: unknown) => {
          const code = isJamaSyncError(error) ? error.code : 'INTERNAL';
          const message = error instanceof Error ? error.message : String(error);
          reply(res, code === 'JOB_INVALID' ? 400 : 502, { error: { code, message } });
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock } from '../core/clock';
import type { SimulatorEngine } from './engine';
import { errorEnvelope } from './envelope';
import { notFound, SimulatedJamaError } from './http-error';
import { parseJsonBody, readBody, sendJson } from './http-io';
import { dispatch, type Reply, type Route } from './router';
import { abstractItemRoutes } from './routes-abstractitems';
import { activityRoutes } from './routes-activities';
import { itemRoutes } from './routes-items';
import { referenceRoutes } from './routes-reference';
import { relationshipRoutes } from './routes-relationships';

const ROUTES: readonly Route[] = [
  ...referenceRoutes,
  ...itemRoutes,
  ...abstractItemRoutes,
  ...activityRoutes,
  ...relationshipRoutes,
];
const TOKEN_PATH = '/rest/oauth/token';
const API_PATH = /^\/rest\/(?:v1|latest)(\/.*)$/;

/** Where a call ended: an answer, or a connection dropped on purpose. */
type Outcome = Reply | 'reset' | 'html' | 'truncated';

/**
 * Serves one /rest call in Jama's order: limit window (429 at once), then authentication, then
 * latency and faults, then the endpoint. A faulted call never reaches the endpoint, so a 5xx
 * leaves the data untouched.
 */
export async function handleRest(
  engine: SimulatorEngine,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  baseUrl: string,
  signal: AbortSignal,
): Promise<void> {
  const method = req.method ?? 'GET';
  const { call, accepted } = engine.admit(method, url.pathname + url.search);
  if (!accepted) {
    const limit = engine.options.rateLimit;
    const retryAfter = engine.options.retryAfterSeconds;
    const message = `Rate limit exceeded: this environment allows ${limit} API calls per second across all integrations.`;
    sendJson(
      res,
      429,
      errorEnvelope(429, message, engine.now()),
      retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
    );
    return;
  }
  let outcome: Outcome;
  try {
    outcome = await serve(engine, req, url, baseUrl, signal);
  } catch (error) {
    if (signal.aborted) outcome = 'reset';
    else if (error instanceof SimulatedJamaError) {
      outcome = {
        status: error.status,
        body: errorEnvelope(error.status, error.message, engine.now()),
        headers: error.headers,
      };
    } else {
      const detail = error instanceof Error ? error.message : String(error);
      outcome = { status: 500, body: errorEnvelope(500, `Simulator bug: ${detail}`, engine.now()) };
    }
  }
  if (outcome === 'reset') {
    req.socket.destroy();
    engine.finish(call, 0);
    return;
  }
  if (outcome === 'html' || outcome === 'truncated') {
    const [type, text] =
      outcome === 'html'
        ? ['text/html', '<html><body><h1>Jama is down for maintenance</h1></body></html>']
        : ['application/json;charset=UTF-8', '{"meta":{"status":"OK","pageInfo":{"startIndex":0,"res'];
    res.writeHead(200, { 'Content-Type': type }).end(text);
    engine.finish(call, 200);
    return;
  }
  sendJson(res, outcome.status, outcome.body, outcome.headers);
  engine.finish(call, outcome.status);
}

async function serve(
  engine: SimulatorEngine,
  req: IncomingMessage,
  url: URL,
  baseUrl: string,
  signal: AbortSignal,
): Promise<Outcome> {
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  const isToken = url.pathname === TOKEN_PATH;
  let user: number;
  if (isToken) {
    if (method !== 'POST') throw new SimulatedJamaError(405, `Use POST on ${TOKEN_PATH}.`, { Allow: 'POST' });
    user = engine.auth.checkTokenRequest(
      req.headers.authorization,
      new URLSearchParams(body.toString('utf8')),
    );
  } else {
    user = engine.auth.authenticate(req.headers.authorization, engine.now());
  }

  const fault = engine.drawFault();
  if (fault.delayMs > 0) await systemClock.sleep(fault.delayMs, signal);
  if (fault.outcome === 'reset' || fault.outcome === 'html' || fault.outcome === 'truncated')
    return fault.outcome;
  if (fault.outcome !== 'none') {
    throw new SimulatedJamaError(
      fault.outcome,
      `Simulated server error (${fault.outcome}); the request was not applied.`,
    );
  }

  const now = engine.now();
  if (isToken) return { status: 200, body: engine.auth.issue(user, now) };
  const apiPath = API_PATH.exec(url.pathname)?.[1];
  if (apiPath === undefined) throw notFound(`No REST endpoint at ${url.pathname}.`);
  return dispatch(ROUTES, method, apiPath, {
    params: url.searchParams,
    json: () => parseJsonBody(req, body),
    user,
    now,
    baseUrl,
    store: engine.store,
  });
}

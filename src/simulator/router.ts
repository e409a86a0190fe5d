import { notFound, SimulatedJamaError } from './http-error';
import type { JamaStore } from './store';

/** Everything a route may read: the request, the authenticated user, the time, the state. */
export interface RouteContext {
  params: URLSearchParams;
  /** The parsed JSON body; throws 415 for another content type, 400 for malformed JSON. */
  json(): unknown;
  /** Id of the authenticated user (writes record it as `modifiedBy` and in activities). */
  user: number;
  now: number;
  /** e.g. `http://127.0.0.1:8080/rest/v1` */
  baseUrl: string;
  store: JamaStore;
}

/** What a route answers; `body` is serialised as JSON, absent for 204. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One endpoint: `path` is matched against the path after `/rest/v1`; its groups become `args`. */
export interface Route {
  method: HttpMethod;
  path: RegExp;
  handle(ctx: RouteContext, args: string[]): Reply;
}

/** Runs the route matching `method` and `path`: 404 for an unknown path, 405 for a wrong method. */
export function dispatch(routes: readonly Route[], method: string, path: string, ctx: RouteContext): Reply {
  const matching = routes.filter((route) => route.path.test(path));
  if (matching.length === 0) throw notFound(`No REST endpoint at ${path}.`);
  const route = matching.find((r) => r.method === method);
  if (!route) {
    const allowed = matching.map((r) => r.method).join(', ');
    throw new SimulatedJamaError(405, `${method} is not supported on ${path}; use ${allowed}.`, {
      Allow: allowed,
    });
  }
  const args = route.path.exec(path)?.slice(1) ?? [];
  return route.handle(ctx, args);
}

/** A numeric path segment as an id (routes match ids with `(\d+)`, so this cannot fail). */
export function idArg(args: string[], index = 0): number {
  return Number(args[index]);
}

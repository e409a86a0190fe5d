import { listEnvelope, page, singleEnvelope } from './envelope';
import { notFound } from './http-error';
import { paging } from './query-params';
import { idArg, type Reply, type Route, type RouteContext } from './router';

function list<T>(all: readonly T[], ctx: RouteContext): Reply {
  const { startAt, maxResults } = paging(ctx.params);
  const { data, pageInfo } = page(all, startAt, maxResults);
  return { status: 200, body: listEnvelope(data, pageInfo, ctx.now) };
}

function one<T>(found: T | undefined, what: string, ctx: RouteContext): Reply {
  if (found === undefined) throw notFound(`${what} was not found.`);
  return { status: 200, body: singleEnvelope(found, ctx.now) };
}

/** `GET /users` filters as Jama reads them: exact `username`, `email`; inactive users only on request. */
function matchingUsers(ctx: RouteContext) {
  const username = ctx.params.get('username');
  const email = ctx.params.get('email');
  const inactive = ctx.params.get('includeInactive') === 'true';
  return ctx.store.users.filter(
    (u) =>
      (username === null || u.username === username) &&
      (email === null || u.email.toLowerCase() === email.toLowerCase()) &&
      (inactive || u.active),
  );
}

/** Reference data that rarely changes: projects, item types, pick lists, users. */
export const referenceRoutes: readonly Route[] = [
  { method: 'GET', path: /^\/projects$/, handle: (ctx) => list(ctx.store.projects, ctx) },
  {
    method: 'GET',
    path: /^\/projects\/(\d+)$/,
    handle: (ctx, args) => one(ctx.store.project(idArg(args)), `Project ${idArg(args)}`, ctx),
  },
  { method: 'GET', path: /^\/itemtypes$/, handle: (ctx) => list(ctx.store.itemTypes, ctx) },
  {
    method: 'GET',
    path: /^\/itemtypes\/(\d+)$/,
    handle: (ctx, args) => one(ctx.store.itemType(idArg(args)), `Item type ${idArg(args)}`, ctx),
  },
  { method: 'GET', path: /^\/picklists$/, handle: (ctx) => list(ctx.store.pickLists, ctx) },
  {
    method: 'GET',
    path: /^\/picklists\/(\d+)$/,
    handle: (ctx, args) =>
      one(
        ctx.store.pickLists.find((p) => p.id === idArg(args)),
        `Pick list ${idArg(args)}`,
        ctx,
      ),
  },
  {
    method: 'GET',
    path: /^\/picklists\/(\d+)\/options$/,
    handle: (ctx, args) => {
      if (!ctx.store.pickLists.some((p) => p.id === idArg(args)))
        throw notFound(`Pick list ${idArg(args)} was not found.`);
      return list(
        ctx.store.pickListOptions.filter((o) => o.pickList === idArg(args)),
        ctx,
      );
    },
  },
  { method: 'GET', path: /^\/users$/, handle: (ctx) => list(matchingUsers(ctx), ctx) },
  {
    method: 'GET',
    path: /^\/users\/current$/,
    handle: (ctx) =>
      one(
        ctx.store.users.find((u) => u.id === ctx.user),
        'The current user',
        ctx,
      ),
  },
  {
    method: 'GET',
    path: /^\/users\/(\d+)$/,
    handle: (ctx, args) =>
      one(
        ctx.store.users.find((u) => u.id === idArg(args)),
        `User ${idArg(args)}`,
        ctx,
      ),
  },
  {
    method: 'GET',
    path: /^\/picklistoptions\/(\d+)$/,
    handle: (ctx, args) =>
      one(
        ctx.store.pickListOptions.find((o) => o.id === idArg(args)),
        `Pick list option ${idArg(args)}`,
        ctx,
      ),
  },
];

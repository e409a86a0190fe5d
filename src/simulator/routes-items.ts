import { createdEnvelope, listEnvelope, okEnvelope, page, singleEnvelope } from './envelope';
import { badRequest, notFound } from './http-error';
import { applyPatch, parseNewItem, parsePatch, parseReplacement, validateFields } from './item-input';
import { paging, requiredIntParam } from './query-params';
import { idArg, type Route, type RouteContext } from './router';
import type { JamaItemType } from './types';

function typeOf(ctx: RouteContext, itemType: number): JamaItemType {
  const type = ctx.store.itemType(itemType);
  if (!type) throw badRequest(`Item type ${itemType} does not exist.`);
  return type;
}

/** `/items` and `/items/{id}`: read one or a project's items, create, replace, patch, delete. */
export const itemRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/items$/,
    handle: (ctx) => {
      const project = requiredIntParam(ctx.params, 'project');
      if (!ctx.store.project(project)) throw notFound(`Project ${project} was not found.`);
      const rootOnly = ctx.params.get('rootOnly') === 'true';
      const { startAt, maxResults } = paging(ctx.params);
      const all = [...ctx.store.inProject(project)]
        .filter((s) => !rootOnly || 'project' in s.item.location.parent)
        .map((s) => s.item);
      const { data, pageInfo } = page(all, startAt, maxResults);
      return { status: 200, body: listEnvelope(data, pageInfo, ctx.now) };
    },
  },
  {
    method: 'GET',
    path: /^\/items\/(\d+)$/,
    handle: (ctx, args) => ({
      status: 200,
      body: singleEnvelope(ctx.store.require(idArg(args)).item, ctx.now),
    }),
  },
  {
    method: 'POST',
    path: /^\/items$/,
    handle: (ctx) => {
      const input = parseNewItem(ctx.json());
      const fields = validateFields(typeOf(ctx, input.itemType), input.fields, ctx.store);
      const { item } = ctx.store.create({ ...input, fields }, ctx.user, ctx.now);
      const location = `${ctx.baseUrl}/items/${item.id}`;
      return {
        status: 201,
        body: createdEnvelope(item.id, location, ctx.now),
        headers: { Location: location },
      };
    },
  },
  {
    method: 'PUT',
    path: /^\/items\/(\d+)$/,
    handle: (ctx, args) => {
      const { item } = ctx.store.require(idArg(args));
      const fields = validateFields(
        typeOf(ctx, item.itemType),
        parseReplacement(ctx.json(), item),
        ctx.store,
      );
      ctx.store.setFields(item.id, fields, ctx.user, ctx.now);
      return { status: 200, body: okEnvelope(ctx.now) };
    },
  },
  {
    method: 'PATCH',
    path: /^\/items\/(\d+)$/,
    handle: (ctx, args) => {
      const { item } = ctx.store.require(idArg(args));
      const type = typeOf(ctx, item.itemType);
      const ops = parsePatch(ctx.json(), type);
      const fields = validateFields(type, applyPatch(item.fields, ops), ctx.store);
      ctx.store.setFields(item.id, fields, ctx.user, ctx.now);
      return { status: 200, body: okEnvelope(ctx.now) };
    },
  },
  {
    method: 'DELETE',
    path: /^\/items\/(\d+)$/,
    handle: (ctx, args) => {
      ctx.store.delete(idArg(args), ctx.user, ctx.now);
      return { status: 204 };
    },
  },
];

import { listEnvelope, page, singleEnvelope } from './envelope';
import { badRequest, notFound } from './http-error';
import { intParam, paging, requiredIntParam } from './query-params';
import { idArg, type Route } from './router';

/**
 * `/relationships` and `/relationshiptypes`. A project's relationships page by `startAt` like every
 * list, or — as Jama 9.6.2 and later require — by `lastId` (ids after it, ascending), depending on
 * the simulator's `relationshipPaging` option. Under `startAt` paging `lastId` is ignored, as an
 * older Jama ignores an unknown parameter.
 */
export const relationshipRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/relationships$/,
    handle: (ctx) => {
      const project = requiredIntParam(ctx.params, 'project');
      if (!ctx.store.project(project)) throw notFound(`Project ${project} was not found.`);
      const all = ctx.store.relationships.inProject(project, (id) => ctx.store.projectOf(id));
      const { startAt, maxResults } = paging(ctx.params);
      if (ctx.store.relationshipPaging === 'startAt') {
        const { data, pageInfo } = page(all, startAt, maxResults);
        return { status: 200, body: listEnvelope(data, pageInfo, ctx.now) };
      }
      const lastId = intParam(ctx.params, 'lastId');
      if (lastId === undefined) {
        throw badRequest(
          'The query parameter `lastId` is required: page relationships with lastId=0, then the last id seen.',
        );
      }
      const after = all.filter((r) => r.id > lastId);
      const data = after.slice(0, maxResults);
      const pageInfo = { startIndex: 0, resultCount: data.length, totalResults: after.length };
      return { status: 200, body: listEnvelope(data, pageInfo, ctx.now) };
    },
  },
  {
    method: 'GET',
    path: /^\/relationships\/(\d+)$/,
    handle: (ctx, args) => ({
      status: 200,
      body: singleEnvelope(ctx.store.relationships.require(idArg(args)), ctx.now),
    }),
  },
  {
    method: 'GET',
    path: /^\/relationshiptypes$/,
    handle: (ctx) => {
      const { startAt, maxResults } = paging(ctx.params);
      const { data, pageInfo } = page(ctx.store.relationships.types, startAt, maxResults);
      return { status: 200, body: listEnvelope(data, pageInfo, ctx.now) };
    },
  },
  {
    method: 'GET',
    path: /^\/relationshiptypes\/(\d+)$/,
    handle: (ctx, args) => {
      const type = ctx.store.relationships.types.find((t) => t.id === idArg(args));
      if (!type) throw notFound(`Relationship type ${idArg(args)} was not found.`);
      return { status: 200, body: singleEnvelope(type, ctx.now) };
    },
  },
];

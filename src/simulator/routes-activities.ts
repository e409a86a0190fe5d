import { listEnvelope, page } from './envelope';
import { badRequest, notFound } from './http-error';
import { formatJamaDate } from './query-date';
import { dateRange, intList, paging, requiredIntParam } from './query-params';
import type { Route } from './router';

const EVENT_TYPES = ['CREATE', 'UPDATE', 'DELETE', 'PUBLIC', 'BATCH_SUMMARY'];
const OBJECT_TYPES = [
  'PROJECT',
  'ITEM',
  'USER',
  'RELATIONSHIP',
  'COMMENT',
  'ITEM_TAG',
  'TAG',
  'ITEM_ATTACHMENT',
  'URL',
  'TEST_RESULT',
  'BASELINE',
  'CHANGE_REQUEST',
  'REVIEW',
  'REVISION',
  'REVISION_ITEM',
  'TEST_PLAN',
  'TEST_CYCLE',
  'TEST_RUN',
  'INTEGRATION',
  'MISCELLANEOUS',
];

function enumList(params: URLSearchParams, name: string, allowed: readonly string[]): Set<string> {
  const values = params.getAll(name);
  for (const value of values) {
    if (!allowed.includes(value))
      throw badRequest(`Invalid ${name} '${value}': expected one of ${allowed.join(', ')}.`);
  }
  return new Set(values);
}

/** `GET /activities?project=P`: the project's activity stream, oldest first, the way to see deletes. */
export const activityRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/activities$/,
    handle: (ctx) => {
      const { params } = ctx;
      const project = requiredIntParam(params, 'project');
      if (!ctx.store.project(project)) throw notFound(`Project ${project} was not found.`);
      const date = dateRange(params, 'date');
      const eventTypes = enumList(params, 'eventType', EVENT_TYPES);
      const objectTypes = enumList(params, 'objectType', OBJECT_TYPES);
      const itemTypes = new Set(intList(params, 'itemType'));
      if (params.get('deleteEvents') === 'true') {
        eventTypes.clear();
        eventTypes.add('DELETE');
      }
      // Activity dates are all UTC in one fixed-width format, so comparing strings compares times.
      const from = date ? formatJamaDate(date.from) : '';
      const to = date && Number.isFinite(date.to) ? formatJamaDate(date.to) : '~';
      const { startAt, maxResults } = paging(params);
      const all = ctx.store
        .activities()
        .filter(
          (a) =>
            a.project === project &&
            (eventTypes.size === 0 || eventTypes.has(a.eventType)) &&
            (objectTypes.size === 0 || objectTypes.has(a.objectType)) &&
            (itemTypes.size === 0 || itemTypes.has(a.itemType)) &&
            a.date >= from &&
            a.date <= to,
        );
      const { data, pageInfo } = page(all, startAt, maxResults);
      return { status: 200, body: listEnvelope(data, pageInfo, ctx.now) };
    },
  },
];

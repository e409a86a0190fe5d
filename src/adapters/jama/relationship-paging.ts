import type { Page } from '../../core/jama-types';
import { JAMA_MAX_RESULTS } from '../../core/ports/jama-api';
import type {
  JamaRelationship,
  RelationshipCursor,
  RelationshipPage,
  RelationshipPaging,
} from '../../core/relationships/types';

/** Fetches one page of a project's relationships with either paging parameter. */
export type RelationshipFetch = (
  params: { lastId: number } | { startAt: number },
) => Promise<Page<JamaRelationship>>;

/**
 * One page of relationships, paging the way this Jama does. Jama 9.6.2 and later require `lastId`
 * (ids after it, ascending); older versions ignore it and page by `startAt`. The cursor starts by
 * `lastId`; if an answer holds ids at or below the `lastId` sent, the Jama ignored it (it answered
 * from the start again), so the same page is asked for by `startAt` and the cursor keeps that style
 * — one extra call per run against an older Jama, none against a current one.
 */
export async function relationshipPage(
  fetch: RelationshipFetch,
  cursor: RelationshipCursor,
): Promise<RelationshipPage> {
  if (cursor.paging === 'startAt') return byStartAt(await fetch({ startAt: cursor.startAt }), cursor);
  const page = await fetch({ lastId: cursor.lastId });
  if (cursor.lastId > 0 && page.data.some((r) => r.id <= cursor.lastId)) {
    return byStartAt(await fetch({ startAt: cursor.startAt }), cursor);
  }
  const paging: RelationshipPaging | undefined = cursor.lastId > 0 ? 'lastId' : cursor.paging;
  const full = page.data.length >= JAMA_MAX_RESULTS && page.totalResults > page.data.length;
  if (!full) return { data: page.data };
  const lastId = Math.max(...page.data.map((r) => r.id));
  return { data: page.data, next: { lastId, startAt: cursor.startAt + page.data.length, paging } };
}

function byStartAt(page: Page<JamaRelationship>, cursor: RelationshipCursor): RelationshipPage {
  const startAt = cursor.startAt + page.data.length;
  if (page.data.length === 0 || startAt >= page.totalResults) return { data: page.data };
  const lastId = Math.max(cursor.lastId, ...page.data.map((r) => r.id));
  return { data: page.data, next: { lastId, startAt, paging: 'startAt' } };
}

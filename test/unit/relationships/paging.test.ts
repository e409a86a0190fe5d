import { relationshipPage } from '../../../src/adapters/jama/relationship-paging';
import type { Page } from '../../../src/core/jama-types';
import type { JamaRelationship, RelationshipCursor } from '../../../src/core/relationships/types';

const all: JamaRelationship[] = Array.from({ length: 120 }, (_, i) => ({
  id: 1000 + 3 * i,
  fromItem: 1,
  toItem: 2,
  relationshipType: 4,
}));

/** Jama 9.6.2+: ids after `lastId`, ascending; `startAt` alone is refused. */
function current(params: { lastId: number } | { startAt: number }): Promise<Page<JamaRelationship>> {
  if (!('lastId' in params)) throw new Error('400: lastId is required');
  const after = all.filter((r) => r.id > params.lastId);
  const data = after.slice(0, 50);
  return Promise.resolve({ startIndex: 0, resultCount: data.length, totalResults: after.length, data });
}

/** Older Jama: `lastId` is an unknown parameter and ignored; pages by `startAt`. */
function older(params: { lastId: number } | { startAt: number }): Promise<Page<JamaRelationship>> {
  const startAt = 'startAt' in params ? params.startAt : 0;
  const data = all.slice(startAt, startAt + 50);
  return Promise.resolve({ startIndex: startAt, resultCount: data.length, totalResults: all.length, data });
}

async function pageThrough(fetch: typeof current) {
  const calls: unknown[] = [];
  const seen: number[] = [];
  let cursor: RelationshipCursor | undefined = { lastId: 0, startAt: 0 };
  while (cursor) {
    const page = await relationshipPage((p) => {
      calls.push(p);
      return fetch(p);
    }, cursor);
    seen.push(...page.data.map((r) => r.id));
    cursor = page.next;
  }
  return { calls, seen };
}

describe('relationship paging', () => {
  it('pages a current Jama by lastId: 3 calls for 120 relationships, each once', async () => {
    const { calls, seen } = await pageThrough(current);
    expect(calls).toEqual([{ lastId: 0 }, { lastId: 1147 }, { lastId: 1297 }]);
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('notices an older Jama ignoring lastId (the first page again) and continues by startAt: one extra call', async () => {
    const { calls, seen } = await pageThrough(older);
    expect(calls).toEqual([{ lastId: 0 }, { lastId: 1147 }, { startAt: 50 }, { startAt: 100 }]);
    expect(seen).toEqual(all.map((r) => r.id));
  });
});

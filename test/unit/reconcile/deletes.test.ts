import { formatJamaDate } from '../../../src/core/jama-date';
import type { JamaActivity } from '../../../src/core/jama-types';
import { deleteJobs } from '../../../src/core/reconcile/deletes';

const T0 = Date.UTC(2026, 0, 1);
const activity = (over: Partial<JamaActivity>): JamaActivity => ({
  id: 1,
  date: formatJamaDate(T0),
  item: 7,
  eventType: 'DELETE',
  objectType: 'ITEM',
  ...over,
});

describe('deleteJobs', () => {
  it('makes one tombstone job per deleted item, dated by its latest DELETE activity', () => {
    const jobs = deleteJobs('prod', [
      activity({ item: 7, date: formatJamaDate(T0 + 5) }),
      activity({ item: 7, date: formatJamaDate(T0) }),
      activity({ item: 8 }),
    ]);
    expect(jobs).toEqual([
      { v: 1, env: 'prod', kind: 'delete', itemId: 7, confirmed: true, deletedAt: T0 + 5 },
      { v: 1, env: 'prod', kind: 'delete', itemId: 8, confirmed: true, deletedAt: T0 },
    ]);
  });

  it.each<[string, JamaActivity]>([
    ['an UPDATE', activity({ eventType: 'UPDATE' })],
    ['a deleted relationship', activity({ objectType: 'RELATIONSHIP' })],
    [
      'an activity without an item',
      { id: 2, date: formatJamaDate(T0), eventType: 'DELETE', objectType: 'ITEM' },
    ],
  ])('ignores %s', (_name, a) => {
    expect(deleteJobs('prod', [a])).toEqual([]);
  });

  it('leaves an unreadable date to the worker', () => {
    expect(deleteJobs('prod', [activity({ date: 'yesterday' })])).toEqual([
      { v: 1, env: 'prod', kind: 'delete', itemId: 7, confirmed: true },
    ]);
  });
});

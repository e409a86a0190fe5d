import { formatJamaDate } from '../../../src/core/jama-date';
import type { JamaActivity } from '../../../src/core/jama-types';
import type { ActivitiesQuery, JamaActivitySource } from '../../../src/core/ports/jama-api';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { InMemoryRunCursorStore } from '../../../src/core/reconcile/memory-cursors';
import { type StartDeps, startReconcile } from '../../../src/core/reconcile/start';
import { FakeClock, MemoryQueue } from '../../support/fakes';
import { MemoryState } from './memory-state';

const MIN = 60_000;
const HOUR = 60 * MIN;

const deleted = (item: number, at: number, project = 20): JamaActivity => ({
  id: item,
  date: formatJamaDate(at),
  item,
  project,
  eventType: 'DELETE',
  objectType: 'ITEM',
});

/** Just the activity stream, recording each query. */
function fakeJama(activities: JamaActivity[], fail?: Error) {
  const queries: ActivitiesQuery[] = [];
  const api: JamaActivitySource = {
    async *iterateActivities(query: ActivitiesQuery) {
      queries.push(query);
      if (fail) throw fail;
      const from = query.date?.[0] ?? 0;
      for (const a of activities)
        if (a.project === query.project && Date.parse(a.date.replace(/(\d\d)(\d\d)$/, '$1:$2')) >= from)
          yield a;
    },
  };
  return { api, queries };
}

function setup(activities: JamaActivity[] = [], fail?: Error) {
  const clock = new FakeClock();
  const queue = new MemoryQueue();
  const state = new MemoryState();
  const jama = fakeJama(activities, fail);
  let n = 0;
  const deps: StartDeps = {
    environments: [{ name: 'prod', projects: [20, 21] }],
    jama: (env) => (env === 'prod' ? jama.api : undefined),
    queue,
    state,
    clock,
    overlapMs: 2 * MIN,
    leaseMs: 6 * HOUR,
    nonce: () => `n${++n}`,
  };
  return { deps, clock, queue, state, queries: jama.queries };
}

describe('startReconcile', () => {
  it('starts a first incremental run of every project from the beginning, reading no activities', async () => {
    const { deps, clock, queue, queries } = setup();
    const summary = await startReconcile({ mode: 'incremental' }, deps);
    expect(summary.started).toEqual([
      { env: 'prod', projectId: 20, from: 0, deletes: 0 },
      { env: 'prod', projectId: 21, from: 0, deletes: 0 },
    ]);
    expect(queries).toHaveLength(0);
    expect(queue.sent.map((s) => s.job)).toEqual([
      expect.objectContaining({
        kind: 'scan',
        projectId: 20,
        from: 0,
        runId: summary.runId,
        startedAt: clock.now(),
      }),
      // No watermark yet: relationships are paged from the start, beside the items.
      {
        v: 1,
        env: 'prod',
        kind: 'relationship-scan',
        projectId: 20,
        mode: 'incremental',
        runId: summary.runId,
        lastId: 0,
        startAt: 0,
        page: 0,
      },
      expect.objectContaining({ kind: 'scan', projectId: 21, from: 0, runId: summary.runId }),
      expect.objectContaining({ kind: 'relationship-scan', projectId: 21, runId: summary.runId }),
    ]);
  });

  it('turns DELETE activities since the watermark (minus the overlap) into delete jobs before the scan', async () => {
    const { deps, clock, queue, state, queries } = setup();
    const w = clock.now() - 15 * MIN;
    await state.advanceWatermark('prod', 20, { at: w, runId: 'r0' });
    const activities = [
      deleted(7, w - 5 * MIN),
      deleted(8, w - MIN),
      deleted(9, w + MIN),
      deleted(9, w + 2 * MIN),
    ];
    const jama = fakeJama(activities);
    const summary = await startReconcile(
      { mode: 'incremental', env: 'prod', projects: [20] },
      { ...deps, jama: () => jama.api },
    );
    expect(jama.queries).toEqual([
      { project: 20, date: [w - 2 * MIN], eventType: ['DELETE'], objectType: ['ITEM'] },
    ]);
    expect(queries).toHaveLength(0);
    expect(queue.sent.map((s) => s.job)).toEqual([
      { v: 1, env: 'prod', kind: 'delete', itemId: 8, confirmed: true, deletedAt: w - MIN },
      { v: 1, env: 'prod', kind: 'delete', itemId: 9, confirmed: true, deletedAt: w + 2 * MIN },
      expect.objectContaining({ kind: 'scan', projectId: 20, mode: 'incremental', from: w - 2 * MIN }),
      // Relationship changes come from RELATIONSHIP activities since the same point.
      expect.objectContaining({ kind: 'relationship-scan', projectId: 20, since: w - 2 * MIN }),
    ]);
    expect(summary.started).toEqual([{ env: 'prod', projectId: 20, from: w - 2 * MIN, deletes: 2 }]);
  });

  it('takes over a run whose cursors stood still for 30 min (its chain dead-lettered), not a moving one', async () => {
    const { deps, clock, state } = setup();
    const cursors = new InMemoryRunCursorStore();
    Object.assign(deps, { cursors, stallMs: 30 * MIN, environments: [{ name: 'prod', projects: [20] }] });
    const first = await startReconcile({ mode: 'full' }, deps);
    const key = { env: 'prod', projectId: 20, kind: 'items', runId: first.runId, slice: 0 };
    const position = { from: 0, skip: 0, pages: 0, items: 0 };
    const claim = { key, token: 'start', owner: 'w1', leaseMs: 60_000, graceMs: 60_000, initial: position };
    await cursors.claim({ ...claim, now: clock.now() });
    // The run moves every 10 minutes for an hour: never taken over.
    for (let i = 1; i <= 6; i++) {
      clock.advance(10 * MIN);
      await cursors.advance(key, 'w1', { ...position, pages: i, items: 50 * i }, clock.now(), 60_000);
      expect((await startReconcile({ mode: 'full' }, deps)).skipped).toHaveLength(1);
    }
    // Then its chain dies (dead-lettered): 29 min later still skipped, 30 min later taken over.
    clock.advance(29 * MIN);
    expect((await startReconcile({ mode: 'full' }, deps)).skipped).toHaveLength(1);
    clock.advance(MIN);
    const taken = await startReconcile({ mode: 'full' }, deps);
    expect(taken.started).toHaveLength(1);
    expect((await state.currentRun('prod', 20, 'full'))?.runId).toBe(taken.runId);
  });

  it('skips a project whose run of the same mode is still in progress, until its lease runs out', async () => {
    const { deps, clock } = setup();
    const first = await startReconcile({ mode: 'incremental' }, deps);
    clock.advance(15 * MIN);
    const second = await startReconcile({ mode: 'incremental' }, deps);
    expect(second.started).toHaveLength(0);
    expect(second.skipped.map((s) => s.projectId)).toEqual([20, 21]);
    // A full run is another mode: it starts alongside.
    expect((await startReconcile({ mode: 'full' }, deps)).started).toHaveLength(2);
    clock.advance(6 * HOUR);
    const third = await startReconcile({ mode: 'incremental' }, deps);
    expect(third.started).toHaveLength(2);
    expect(third.runId).not.toBe(first.runId);
  });

  it('starts the next run as soon as the previous one finished', async () => {
    const { deps, clock, state } = setup();
    const first = await startReconcile({ mode: 'incremental' }, deps);
    for (const p of [20, 21]) await state.finishRun('prod', p, 'incremental', first.runId, clock.now());
    clock.advance(15 * MIN);
    expect((await startReconcile({ mode: 'incremental' }, deps)).started).toHaveLength(2);
  });

  it('reports a project that failed to start and gives its lease back; the others still start', async () => {
    const { deps, state } = setup([], new LimiterWaitError(5000));
    await state.advanceWatermark('prod', 20, { at: 1, runId: 'r0' });
    const summary = await startReconcile({ mode: 'incremental' }, deps);
    expect(summary.failed).toEqual([
      { env: 'prod', projectId: 20, error: expect.any(String), code: 'LIMITER_WAIT' },
    ]);
    expect(summary.started.map((s) => s.projectId)).toEqual([21]);
    expect(state.runs.has('prod#20#incremental')).toBe(false);
  });
});

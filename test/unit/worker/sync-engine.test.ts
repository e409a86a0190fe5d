import {
  JamaNetworkError,
  JamaRateLimitedError,
  JamaServerError,
  JamaValidationError,
} from '../../../src/core/jama-errors';
import type { JobInput } from '../../../src/core/jobs';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { type EngineDeps, runBatch } from '../../../src/core/worker/sync-engine';
import { FakeClock, FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';
import { pushServices } from '../../support/reference-fakes';

function setup(items = Array.from({ length: 120 }, (_, i) => item(i + 1))) {
  const jama = new FakeJama(items);
  const sink = new MemorySink();
  const queue = new MemoryQueue();
  const clock = new FakeClock();
  const { reference, ledger } = pushServices(clock);
  const deps: EngineDeps = {
    jama: (env) => (env === 'prod' ? jama.asApi() : undefined),
    sinks: [sink],
    index: sink,
    queue,
    clock,
    push: { reference, ledger },
  };
  return { jama, sink, queue, deps };
}

const records = (jobs: (JobInput | string)[]) =>
  jobs.map((job, i) => ({ id: `m${i}`, body: typeof job === 'string' ? job : JSON.stringify(job) }));
const pull = (itemId: number, documentKey?: string): JobInput => ({
  v: 1,
  env: 'prod',
  kind: 'pull',
  itemId,
  ...(documentKey ? { documentKey } : {}),
});

describe('sync engine', () => {
  it('coalesces duplicate pulls and fetches 50 items per documentKey call', async () => {
    const { jama, sink, deps } = setup();
    const jobs = Array.from({ length: 300 }, (_, i) => pull((i % 120) + 1, `P-REQ-${(i % 120) + 1}`));
    const results = await runBatch(records(jobs), deps);
    expect(results.every((r) => r.outcome.type === 'done')).toBe(true);
    expect(jama.count('getItemsByDocumentKeys')).toBe(3);
    expect(jama.count('getItem')).toBe(0);
    expect(sink.rows.size).toBe(120);
    expect(sink.writes).toBe(120);
  });

  it('finds documentKeys in the index for pulls that carry none', async () => {
    const { jama, deps } = setup();
    await runBatch(records(Array.from({ length: 10 }, (_, i) => pull(i + 1, `P-REQ-${i + 1}`))), deps);
    jama.calls.length = 0;
    await runBatch(records(Array.from({ length: 10 }, (_, i) => pull(i + 1))), deps);
    expect(jama.calls.map((c) => c.call)).toEqual(['getItemsByDocumentKeys']);
  });

  it('falls back to GET /items/{id} and tombstones items Jama no longer has', async () => {
    const { jama, sink, deps } = setup([item(1), item(2), item(3)]);
    await runBatch(records([pull(3, 'P-REQ-3')]), deps);
    jama.items.delete(3);
    jama.calls.length = 0;
    const results = await runBatch(records([pull(1), pull(2, 'OLD-KEY-2'), pull(3)]), deps);
    expect(results.map((r) => r.outcome.type)).toEqual(['done', 'done', 'done']);
    // Item 3's key comes from the mirror; its miss there is confirmed by id.
    expect(jama.count('getItem')).toBe(3);
    expect(sink.rows.get('prod/3')).toMatchObject({ kind: 'tombstone', itemId: 3 });
    expect(sink.rows.get('prod/2')).toMatchObject({ kind: 'item', documentKey: 'P-REQ-2' });
  });

  it('writes no tombstone for an id neither Jama nor the mirror ever had', async () => {
    const { sink, deps } = setup([item(1)]);
    const results = await runBatch(records([pull(404)]), deps);
    expect(results.map((r) => r.outcome)).toEqual([{ type: 'done', note: 'not in Jama' }]);
    expect(sink.rows.size).toBe(0);
  });

  it('checks webhook pulls of ids the mirror never held with one call for the batch, not one GET each', async () => {
    const now = Date.UTC(2026, 0, 1);
    const { jama, sink, deps } = setup([item(1), item(2, { at: now - 60_000 }), item(3)]);
    await runBatch(records([pull(1, 'P-REQ-1')]), deps);
    jama.calls.length = 0;
    const heard = (itemId: number, documentKey?: string) => ({
      ...pull(itemId, documentKey),
      acceptedAt: now,
    });
    // Item 2 was created a minute ago (the mirror never had it); 900… never existed; one bogus key.
    const jobs = [
      heard(2),
      heard(1),
      heard(900, 'NOPE-900'),
      ...Array.from({ length: 40 }, (_, i) => heard(901 + i)),
    ];
    const results = await runBatch(records(jobs), deps);

    expect(results.every((r) => r.outcome.type === 'done')).toBe(true);
    expect(results[2]?.outcome).toEqual({ type: 'done', note: 'not among Jama’s recent activity' });
    // Item 1 by its key from the mirror; the bogus key misses; the 42 strangers cost one search.
    expect(jama.calls.map((c) => c.call)).toEqual(['getItemsByDocumentKeys', 'searchAbstractItems']);
    expect(jama.calls[1]?.args).toMatchObject({
      lastActivityDate: [now - 10 * 60_000],
      sortBy: ['lastActivityDate.desc'],
      maxResults: 50,
    });
    expect(sink.rows.get('prod/2')).toMatchObject({ kind: 'item', itemId: 2 });
    expect([...sink.rows.keys()].sort()).toEqual(['prod/1', 'prod/2']);
  });

  it('reads by id a stranger the recent-activity search returned malformed', async () => {
    const now = Date.UTC(2026, 0, 1);
    const { jama, sink, deps } = setup([item(2, { at: now - 60_000 })]);
    const search = jama.searchAbstractItems.bind(jama);
    jama.searchAbstractItems = async (query) => ({
      ...(await search(query)),
      data: [],
      rejected: [{ index: 0, itemId: 2, reason: 'modifiedDate: expected string' }],
    });
    const heard = (itemId: number) => ({ ...pull(itemId), acceptedAt: now });
    const results = await runBatch(records([heard(2), heard(3)]), deps);
    expect(results.map((r) => r.outcome)).toEqual([
      { type: 'done' },
      { type: 'done', note: 'not among Jama’s recent activity' },
    ]);
    expect(jama.calls.map((c) => c.call)).toEqual(['searchAbstractItems', 'getItem']);
    expect(sink.rows.get('prod/2')).toMatchObject({ kind: 'item', itemId: 2 });
  });

  it('reads by id the strangers a busy environment pushed off the recent-activity page', async () => {
    const now = Date.UTC(2026, 0, 1);
    const { jama, sink, deps } = setup([item(2, { at: now - 60_000 })]);
    const search = jama.searchAbstractItems.bind(jama);
    // More changed since than one page holds: the page (here: without item 2) proves nothing.
    jama.searchAbstractItems = async (query) => ({ ...(await search(query)), data: [], totalResults: 120 });
    const heard = (itemId: number) => ({ ...pull(itemId), acceptedAt: now });
    const results = await runBatch(records([heard(2), heard(3)]), deps);
    expect(results.map((r) => r.outcome)).toEqual([{ type: 'done' }, { type: 'done', note: 'not in Jama' }]);
    expect(jama.calls.map((c) => c.call)).toEqual(['searchAbstractItems', 'getItem', 'getItem']);
    expect(sink.rows.get('prod/2')).toMatchObject({ kind: 'item', itemId: 2 });
  });

  it('reads by id what an operator asked for, even when a webhook named the same id', async () => {
    const { jama, sink, deps } = setup([item(1), item(2), item(3)]);
    const heard = (itemId: number) => ({ ...pull(itemId), acceptedAt: Date.UTC(2026, 0, 1) });
    // Items 1–3 are old (2025) and unknown to the mirror: a recent-activity search would miss them.
    await runBatch(records([pull(1), pull(2), heard(2), heard(3)]), deps);
    expect(jama.calls.map((c) => c.call)).toEqual(['getItem', 'getItem', 'getItem']);
    expect(sink.rows.size).toBe(3);
  });

  it('stops calling Jama for the rest of the batch after a 429', async () => {
    const { jama, deps } = setup();
    let first = true;
    jama.failWith = (call) => {
      if (call === 'getItemsByDocumentKeys' && first) {
        first = false;
        return new JamaRateLimitedError({
          method: 'POST',
          path: '/rest/v1/abstractitems',
          retryAfterMs: 4000,
        });
      }
      return undefined;
    };
    const jobs = Array.from({ length: 60 }, (_, i) => pull(i + 1, `P-REQ-${i + 1}`));
    const results = await runBatch(records(jobs), deps);
    expect(results.filter((r) => r.outcome.type === 'throttled')).toHaveLength(60);
    expect(results[0]?.outcome).toEqual({ type: 'throttled', by: 'jama', retryAfterMs: 4000 });
    // The second group is not even asked for: the batch stops calling once told to wait.
    expect(jama.count('getItemsByDocumentKeys')).toBe(1);
  });

  it.each([
    ['limiter wait', new LimiterWaitError(7000), 'throttled'],
    [
      'server error',
      new JamaServerError({ method: 'GET', path: '/rest/v1/abstractitems', status: 503 }),
      'failed',
    ],
    [
      'network error',
      new JamaNetworkError({
        method: 'GET',
        path: '/',
        baseUrl: 'http://127.0.0.1',
        networkCode: 'ECONNRESET',
      }),
      'failed',
    ],
  ])('maps a %s to %s', async (_name, error, type) => {
    const { jama, deps } = setup();
    jama.failWith = () => error;
    const [result] = await runBatch(records([pull(1, 'P-REQ-1')]), deps);
    expect(result?.outcome.type).toBe(type);
  });

  it('rejects malformed records and unknown environments without calling Jama', async () => {
    const { jama, deps } = setup();
    const results = await runBatch(records(['not json', { ...pull(1), env: 'staging' } as JobInput]), deps);
    expect(results.map((r) => r.outcome)).toEqual([
      { type: 'rejected', reason: expect.stringMatching(/not JSON/) },
      { type: 'rejected', reason: 'unknown Jama environment `staging`' },
    ]);
    expect(jama.calls).toHaveLength(0);
  });

  it('reports a server error against only the records of the call that met it', async () => {
    const { jama, deps } = setup();
    let first = true;
    jama.failWith = (call) => {
      if (call !== 'getItemsByDocumentKeys' || !first) return undefined;
      first = false;
      return new JamaServerError({ method: 'POST', path: '/rest/v1/abstractitems', status: 503 });
    };
    const results = await runBatch(
      records(Array.from({ length: 60 }, (_, i) => pull(i + 1, `P-REQ-${i + 1}`))),
      deps,
    );
    expect(results.filter((r) => r.outcome.type === 'failed')).toHaveLength(50);
    expect(results.filter((r) => r.outcome.type === 'done')).toHaveLength(10);
  });

  it('fails only the records whose sink write failed', async () => {
    const { sink, deps } = setup();
    sink.fail = (r) => r.itemId === 2;
    const results = await runBatch(records([pull(1, 'P-REQ-1'), pull(2, 'P-REQ-2')]), deps);
    expect(results.map((r) => r.outcome.type)).toEqual(['done', 'failed']);
  });

  it('applies a push, then re-reads the item into the sinks', async () => {
    const { jama, sink, deps } = setup();
    const push: JobInput = {
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId: 5,
      ops: [{ op: 'replace', path: '/fields/name', value: 'New' }],
    };
    const [result] = await runBatch(records([push]), deps);
    expect(result?.outcome.type).toBe('done');
    // Read (guard, type, values), PATCH, then the re-read for the sinks by documentKey (50 per call).
    expect(jama.calls.map((c) => c.call)).toEqual(['getItem', 'patchItem', 'getItemsByDocumentKeys']);
    expect(sink.rows.get('prod/5')).toMatchObject({ item: { fields: { name: 'New' } } });
  });

  it('re-reads pushed items even when the pushes took longer than a turn: the turn starts with the reads', async () => {
    const { jama, sink, deps } = setup();
    const clock = deps.clock as FakeClock;
    const patch = jama.patchItem.bind(jama);
    // Each PATCH takes 4 s of the injected clock (waiting on a slow Jama, say): 3 of them outlast any turn.
    jama.patchItem = async (...args: Parameters<FakeJama['patchItem']>) => {
      clock.advance(4000);
      return patch(...args);
    };
    const pushes: JobInput[] = [5, 6, 7].map((itemId) => ({
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId,
      ops: [{ op: 'replace', path: '/fields/name', value: `New ${itemId}` }],
    }));
    const results = await runBatch(records(pushes), { ...deps, turnMs: 1000 });
    // Measured before: a turn drawn at the start of the batch had ended, every re-read was handed
    // back, and the pushes came back to be applied again, and again.
    expect(results.map((r) => r.outcome.type)).toEqual(['done', 'done', 'done']);
    expect(sink.rows.get('prod/7')).toMatchObject({ item: { fields: { name: 'New 7' } } });
  });

  it('skips a guarded push when Jama changed the item after the guard', async () => {
    const { jama, deps } = setup([item(5, { at: Date.UTC(2025, 5, 1) })]);
    const push: JobInput = {
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId: 5,
      ops: [{ op: 'replace', path: '/fields/name', value: 'Mine' }],
      ifUnmodifiedSince: Date.UTC(2025, 4, 1),
    };
    const [result] = await runBatch(records([push]), deps);
    expect(result?.outcome.type).toBe('done');
    expect(jama.count('patchItem')).toBe(0);
    expect(jama.items.get(5)?.fields.name).toBe('Item 5');
  });

  it('dead-letters a push Jama rejects as invalid', async () => {
    const { jama, deps } = setup();
    jama.failWith = (call) =>
      call === 'patchItem'
        ? new JamaValidationError({
            method: 'PATCH',
            path: '/rest/v1/items/5',
            detail: 'Field name is too long',
          })
        : undefined;
    const push: JobInput = {
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId: 5,
      ops: [{ op: 'add', path: '/fields/name', value: 'x'.repeat(300) }],
    };
    const [result] = await runBatch(records([push]), deps);
    expect(result?.outcome).toEqual({ type: 'rejected', reason: 'JAMA_VALIDATION: Field name is too long' });
  });

  it('dead-letters a push naming a field the item type lacks before calling PATCH, with the valid fields', async () => {
    const { jama, deps } = setup();
    const push: JobInput = {
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId: 5,
      ops: [{ op: 'add', path: '/fields/foo', value: 1 }],
    };
    const [result] = await runBatch(records([push]), deps);
    expect(result?.outcome).toEqual({
      type: 'rejected',
      reason: expect.stringMatching(
        /^PUSH_UNRESOLVED: item 5: field "foo" is not a field of item type 24 \(Requirement\); valid: name \(Name\), .*priority\$24 \(Priority\)/,
      ),
    });
    expect(jama.count('patchItem')).toBe(0);
  });

  it('reads the items of a batch of pushes 50 per call when the index knows them, and again for a second push of one item', async () => {
    const { jama, sink, deps } = setup();
    await runBatch(records([1, 2, 3].map((n) => pull(n, `P-REQ-${n}`))), deps);
    jama.calls.length = 0;
    const push = (itemId: number, value: string): JobInput => ({
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId,
      ops: [{ op: 'replace', path: '/fields/name', value }],
      jobId: `${itemId}-${value}`,
      occurredAt: value === 'second' ? 2 : 1,
    });
    const results = await runBatch(
      records([push(1, 'first'), push(2, 'first'), push(3, 'first'), push(1, 'second')]),
      deps,
    );
    expect(results.map((r) => r.outcome.type)).toEqual(['done', 'done', 'done', 'done']);
    expect(jama.calls.map((c) => c.call)).toEqual([
      'getItemsByDocumentKeys',
      'patchItem',
      'patchItem',
      'patchItem',
      'getItem',
      'patchItem',
      'getItemsByDocumentKeys',
    ]);
    expect(sink.rows.get('prod/1')).toMatchObject({ item: { fields: { name: 'second' } } });
  });

  // The floor for write-back (issue 12): Jama's PATCH answers with no item and Jama has no
  // conditional write, so each batch pays one read before (the conflict guard) and one after (the
  // mirror holds what Jama holds): N + 2⌈N/50⌉ calls, 3 for one push, 12 for 10, 52 for 50.
  it.each([1, 10, 50])(
    'lands a batch of %i pushes in N PATCHes plus one read before and one after',
    async (n) => {
      const { jama, sink, deps } = setup();
      const ids = Array.from({ length: n }, (_, i) => i + 1);
      await runBatch(records(ids.map((i) => pull(i, `P-REQ-${i}`))), deps);
      jama.calls.length = 0;
      const push = (itemId: number): JobInput => ({
        v: 1,
        env: 'prod',
        kind: 'push',
        itemId,
        ops: [{ op: 'replace', path: '/fields/name', value: `pushed ${itemId}` }],
      });
      const results = await runBatch(records(ids.map(push)), deps);
      expect(results.every((r) => r.outcome.type === 'done')).toBe(true);
      const read = n === 1 ? 'getItem' : 'getItemsByDocumentKeys';
      expect(jama.calls.map((c) => c.call)).toEqual([
        read,
        ...ids.map(() => 'patchItem'),
        'getItemsByDocumentKeys',
      ]);
      for (const i of ids)
        expect(sink.rows.get(`prod/${i}`)).toMatchObject({ item: { fields: { name: `pushed ${i}` } } });
    },
  );

  it('rejects pushes when the worker has no write-back services', async () => {
    const { deps } = setup();
    const { push: _none, ...without } = deps;
    const job: JobInput = {
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId: 5,
      ops: [{ op: 'remove', path: '/fields/name' }],
    };
    const [result] = await runBatch(records([job]), without);
    expect(result?.outcome).toEqual({
      type: 'rejected',
      reason: 'write-back is not configured for this worker',
    });
  });

  it('tombstones deletes Jama reported itself without a call, never dated in the future', async () => {
    const { jama, sink, deps } = setup();
    const future = deps.clock.now() + 1e12;
    await runBatch(
      records([
        { v: 1, env: 'prod', kind: 'delete', itemId: 9, deletedAt: 123, confirmed: true },
        { v: 1, env: 'prod', kind: 'delete', itemId: 10, deletedAt: future, confirmed: true },
      ]),
      deps,
    );
    expect(jama.calls).toHaveLength(0);
    expect(sink.rows.get('prod/9')).toMatchObject({ kind: 'tombstone', itemId: 9, deletedAt: 123 });
    expect(sink.rows.get('prod/10')).toMatchObject({ kind: 'tombstone', deletedAt: deps.clock.now() });
  });

  it("checks a webhook's deletes with Jama: a live item is re-synced, a 404 confirms, 50 per call", async () => {
    const { jama, sink, deps } = setup(Array.from({ length: 60 }, (_, i) => item(i + 1)));
    await runBatch(records(Array.from({ length: 60 }, (_, i) => pull(i + 1, `P-REQ-${i + 1}`))), deps);
    jama.items.delete(7);
    jama.calls.length = 0;
    const del = (itemId: number, deletedAt?: number): JobInput => ({
      v: 1,
      env: 'prod',
      kind: 'delete',
      itemId,
      ...(deletedAt === undefined ? {} : { deletedAt }),
    });
    const far = Date.UTC(2099, 0, 1);
    const results = await runBatch(records([...Array.from({ length: 60 }, (_, i) => del(i + 1, far))]), deps);
    expect(results.every((r) => r.outcome.type === 'done')).toBe(true);
    // Two documentKey calls for 60 keys from the mirror, one GET to confirm the one that is gone.
    expect(jama.calls.map((c) => c.call)).toEqual([
      'getItemsByDocumentKeys',
      'getItemsByDocumentKeys',
      'getItem',
    ]);
    expect(sink.rows.get('prod/7')).toMatchObject({ kind: 'tombstone', deletedAt: deps.clock.now() });
    expect(sink.rows.get('prod/8')).toMatchObject({ kind: 'item' });
  });

  it('spends at most one batched check on deletes of ids the mirror never held, and writes nothing', async () => {
    const { jama, sink, deps } = setup([item(1)]);
    const unknown = Array.from(
      { length: 300 },
      (_, i): JobInput => ({
        v: 1,
        env: 'prod',
        kind: 'delete',
        itemId: 10_000 + i,
        ...(i < 40 ? { documentKey: `FAKE-${i}` } : {}),
      }),
    );
    const results = await runBatch(records(unknown), deps);
    expect(results.every((r) => r.outcome.type === 'done')).toBe(true);
    expect(jama.calls.map((c) => c.call)).toEqual(['getItemsByDocumentKeys']);
    expect(sink.rows.size).toBe(0);
  });

  it('defers every record it has not started once the signal aborts', async () => {
    const { jama, deps } = setup();
    const controller = new AbortController();
    controller.abort();
    const results = await runBatch(records([pull(1, 'P-REQ-1'), pull(2)]), deps, controller.signal);
    expect(results.map((r) => r.outcome.type)).toEqual(['deferred', 'deferred']);
    expect(jama.calls).toHaveLength(0);
  });
});

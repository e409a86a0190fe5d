import { type Pipeline, startPipeline } from '../support/pipeline';
import { MonotonicityWatcher } from './watcher';

const SOURCE = { name: 'order', env: 'default', secret: 'ordering-webhook-secret-0123' };

/** Out-of-order and duplicate delivery, one case at a time, with the mirror watched throughout. */
// Servers start and stop in hooks and runs take seconds: more than jest's 5 s default.
jest.setTimeout(60_000);

describe('events delivered out of order or twice', () => {
  let p: Pipeline;
  let watcher: MonotonicityWatcher;
  const post = async (events: unknown[]) => {
    expect((await p.webhook?.post(SOURCE.name, { events }))?.status).toBe(202);
    await p.idle();
  };
  const nextSecond = async () => {
    const second = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
  };
  const item = (i: number) =>
    p.simulator.items()[i] as NonNullable<ReturnType<Pipeline['simulator']['getItem']>>;

  beforeAll(async () => {
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 10 },
      eventSource: { batchingWindowSeconds: 0 },
      webhook: { sources: [SOURCE] },
    });
    watcher = new MonotonicityWatcher(() => p.mirror());
    watcher.start(50);
  });
  afterAll(async () => {
    await watcher?.stop();
    await p?.stop();
  });

  it('keeps a tombstone when the delete arrives before the update that preceded it', async () => {
    const { id } = item(0);
    await post([{ type: 'item.updated', itemId: id }]); // in the mirror: a tombstone has something to hide
    p.simulator.updateItem(id, { name: 'last edit before the delete' });
    const update = { type: 'item.updated', itemId: id, occurredAt: Date.now() };
    p.simulator.deleteItem(id);
    await post([{ type: 'item.deleted', itemId: id, occurredAt: Date.now() + 1 }]);
    await post([update]);
    expect((await p.mirror()).get(id)).toMatchObject({ deleted: true });
  });

  it('keeps the newest state when an old pull is delivered again after newer changes synced', async () => {
    const { id, documentKey } = item(1);
    const stale = { v: 1 as const, env: 'default', kind: 'pull' as const, itemId: id, documentKey };
    for (const n of [1, 2]) {
      p.simulator.updateItem(id, { name: `change ${n}` });
      if (n === 2) await nextSecond(); // the same event body again: a new request, not a replay
      await post([{ type: 'item.updated', itemId: id, documentKey }]);
    }
    const synced = (await p.mirror()).get(id);
    await p.enqueue([stale, stale]);
    await p.idle();
    // Only the bookkeeping of the sighting changes: when it was synced and observed.
    expect((await p.mirror()).get(id)).toEqual({
      ...synced,
      syncedAt: expect.any(Number),
      observedAt: expect.any(Number),
    });
    expect(synced).toMatchObject({
      modifiedDate: p.simulator.getItem(id)?.modifiedDate,
      item: { fields: { name: 'change 2' } },
    });
  });

  it('keeps the later of two guarded pushes when it is delivered first', async () => {
    const { id } = item(2);
    const first = { type: 'item.push', itemId: id, fields: { name: 'first' }, occurredAt: Date.now() - 1 };
    const second = { type: 'item.push', itemId: id, fields: { name: 'second' }, occurredAt: Date.now() };
    await post([second]);
    await post([first]); // older than Jama's modifiedDate now: skipped
    expect(p.simulator.getItem(id)?.fields.name).toBe('second');
    expect((await p.mirror()).get(id)).toMatchObject({ item: { fields: { name: 'second' } } });
  });

  it('applies a guarded push delivered twice once, and the mirror shows it', async () => {
    const { id } = item(3);
    const push = { type: 'item.push', itemId: id, fields: { name: 'pushed once' }, occurredAt: Date.now() };
    await post([push]);
    const after = p.simulator.getItem(id)?.modifiedDate;
    // A sender's second delivery is a new request, signed at a later second (an exact replay of the
    // first request would be refused with 409 — test/security covers that).
    await nextSecond();
    await post([push]); // the same change again: its values are already in Jama, nothing is PATCHed
    expect(p.simulator.getItem(id)?.modifiedDate).toBe(after);
    expect((await p.mirror()).get(id)).toMatchObject({
      modifiedDate: after,
      item: { fields: { name: 'pushed once' } },
    });
  });

  // Two changes made downstream in quick succession (Jira: In Review, then Done) arrive in order; the
  // first PATCH moves Jama's modifiedDate past the second's occurredAt, but that modification is the
  // integration's own (GET /users/current), so the guard does not count it as a conflict.
  it('applies the later of two guarded pushes delivered in order', async () => {
    const { id } = item(4);
    const first = {
      type: 'item.push',
      itemId: id,
      fields: { name: 'In Review' },
      occurredAt: Date.now() - 1,
    };
    const second = { type: 'item.push', itemId: id, fields: { name: 'Done' }, occurredAt: Date.now() };
    await post([first]);
    await post([second]);
    expect(p.simulator.getItem(id)?.fields.name).toBe('Done');
    expect((await p.mirror()).get(id)).toMatchObject({ item: { fields: { name: 'Done' } }, bySync: true });
  });

  it('never showed a mirror row going back while all of the above ran', async () => {
    await watcher.stop();
    expect(watcher.polls).toBeGreaterThan(10);
    expect(watcher.regressions).toEqual([]);
  });
});

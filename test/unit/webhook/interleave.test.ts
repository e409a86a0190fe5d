import { serializeJob } from '../../../src/core/jobs';
import { ingest, type WebhookRequest } from '../../../src/core/webhook/ingest';
import { type EngineDeps, runBatch } from '../../../src/core/worker/sync-engine';
import { FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';
import { fakeDeps, signedHeaders, updated } from './support';

/**
 * A change that arrives while (or after) the pending pull reads Jama must still be synced: the
 * worker clears the markers before reading, so that change queues a pull of its own.
 */
describe('coalescing with a read in flight', () => {
  async function scenario(clearMarkers: 'before read' | 'after sync') {
    const w = fakeDeps();
    const jama = new FakeJama([item(1, { fields: { name: 'A' } })]);
    const sink = new MemorySink();
    const post = (itemId: number) => {
      const body = JSON.stringify({ events: [updated(itemId)] });
      const request: WebhookRequest = {
        method: 'POST',
        path: '/webhooks/ci',
        headers: signedHeaders(body, w.clock.now()),
        body: Buffer.from(body),
      };
      return ingest(request, w.deps);
    };
    let during: Awaited<ReturnType<typeof post>> | undefined;
    const api = jama.asApi();
    const reading: typeof api = Object.create(api);
    reading.getItem = async (id, options) => {
      const read = await api.getItem(id, options);
      if (!during) {
        // Someone edits the item in Jama right after the worker read it, and the webhook fires.
        jama.items.set(1, item(1, { at: Date.UTC(2025, 5, 1), fields: { name: 'B' } }));
        during = await post(1);
      }
      return read;
    };
    const engine: EngineDeps = {
      jama: () => reading,
      sinks: [sink],
      queue: new MemoryQueue(),
      clock: w.clock,
      ...(clearMarkers === 'before read' ? { beforePull: (env, ids) => w.markers.release(env, ids) } : {}),
    };
    const work = async () => {
      const jobs = w.queue.sent.splice(0);
      await runBatch(
        jobs.map((job, i) => ({ id: String(i), body: serializeJob(job) })),
        engine,
      );
      if (clearMarkers === 'after sync') await w.markers.release('default', [1]);
    };

    expect(await post(1)).toMatchObject({ enqueued: 1 });
    await work(); // reads A; B arrives during the read
    await work(); // whatever the webhook queued meanwhile
    const synced = sink.rows.get('default/1');
    return { during, name: synced?.kind === 'item' ? synced.item.fields.name : undefined };
  }

  it('queues a new pull for a change made after the pending pull read Jama, so the mirror ends at B', async () => {
    const { during, name } = await scenario('before read');
    expect(during).toMatchObject({ enqueued: 1, coalesced: 0 });
    expect(name).toBe('B');
  });

  it('would lose that change if the markers were cleared only after the sync (the control)', async () => {
    const { during, name } = await scenario('after sync');
    expect(during).toMatchObject({ enqueued: 0, coalesced: 1 });
    expect(name).toBe('A');
  });
});

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { JobQueue } from '../../../src/core/ports/job-queue';
import type { Sink } from '../../../src/core/ports/sink';
import { createRng } from '../../../src/simulator/prng';
import { type Pipeline, startPipeline } from '../../support/pipeline';

const SECRET = 'storm-secret-0123456789abcdef';
type Event = { type: string; itemId: number; documentKey?: string };

/** A seeded PRNG (the simulator's mulberry32), so a failing storm can be replayed. */
const prng = (seed: number) => createRng(seed).next;

describe('webhook → queue → worker under a storm of duplicate events', () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('syncs 5,000 events for 1,000 items once per distinct change, and the mirror equals Jama', async () => {
    const random = prng(5);
    const pullsQueued = new Map<number, number>();
    const written = new Map<number, number>();
    const bump = (m: Map<number, number>, id: number) => m.set(id, (m.get(id) ?? 0) + 1);
    // The worker waits at this gate before it reads, so each burst lands while its pulls are pending.
    let open = () => {};
    let gate = Promise.resolve();
    const closeGate = () => {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    };
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 1000, seed: 5 },
      webhook: {
        sources: [{ name: 'jama', env: 'default', secret: SECRET }],
        adjust: (deps) => {
          const queue: JobQueue = {
            send: async (jobs) => {
              await deps.queue.send(jobs);
              for (const job of jobs) if (job.kind === 'pull') bump(pullsQueued, job.itemId);
            },
          };
          return { ...deps, queue };
        },
      },
      adjust: (deps) => {
        const [mirror, ...rest] = deps.engine.sinks as Sink[];
        const counting: Sink = {
          name: 'counting-mirror',
          write: async (env, records) => {
            const results = await (mirror as Sink).write(env, records);
            for (const r of results) if (r.status === 'written') bump(written, r.itemId);
            return results;
          },
        };
        const beforePull = deps.engine.beforePull;
        return {
          ...deps,
          engine: {
            ...deps.engine,
            sinks: [counting, ...rest],
            beforePull: async (env, ids) => {
              await gate;
              await beforePull?.(env, ids);
            },
          },
        };
      },
    });
    const pipeline = p;
    const items = pipeline.simulator.items();
    const changes = new Map<number, number>();
    const totals = { accepted: 0, enqueued: 0, coalesced: 0 };

    /** Changes `ids` in Jama, then sends `copies` events for each, shuffled, in requests of 1–100 events. */
    const burst = async (ids: number[], copies: number, withKey: (id: number) => boolean) => {
      for (const id of ids) {
        pipeline.simulator.updateItem(id, { name: `change ${(changes.get(id) ?? 0) + 1} of ${id}` });
        bump(changes, id);
      }
      const keyOf = new Map(pipeline.simulator.items().map((it) => [it.id, it.documentKey]));
      const events: Event[] = ids.flatMap((id) =>
        Array.from({ length: copies }, () => ({
          type: random() < 0.5 ? 'item.updated' : 'item.created',
          itemId: id,
          ...(withKey(id) ? { documentKey: keyOf.get(id) as string } : {}),
        })),
      );
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [events[i], events[j]] = [events[j] as Event, events[i] as Event];
      }
      const requests: Event[][] = [];
      for (let at = 0; at < events.length; ) {
        const size = 1 + Math.floor(random() * 100);
        requests.push(events.slice(at, at + size));
        at += size;
      }
      const send = async () => {
        for (let next = requests.shift(); next; next = requests.shift()) {
          const res = await pipeline.webhook?.post('jama', { events: next });
          expect(res?.status).toBe(202);
          totals.accepted += Number(res?.body.accepted);
          totals.enqueued += Number(res?.body.enqueued);
          totals.coalesced += Number(res?.body.coalesced);
        }
      };
      await Promise.all(Array.from({ length: 8 }, send));
    };

    const all = items.map((it) => it.id);
    closeGate();
    await burst(all, 3, () => true); // 3,000 events: every item changed once
    await burst(
      all.filter((_, i) => i % 2 === 0),
      2,
      () => true,
    ); // 1,000 more while those pulls are pending
    open();
    await pipeline.idle(120_000);
    closeGate();
    await burst(
      all.filter((_, i) => i % 4 === 0),
      4,
      (id) => id % 2 === 0,
    ); // 1,000: a new change after the sync
    open();
    await pipeline.idle(120_000);

    expect(totals).toEqual({ accepted: 5000, enqueued: 1250, coalesced: 3750 });
    // One pull per change, except that a change made while the item's pull was still pending rides on it.
    for (const [i, id] of all.entries()) {
      expect([id, pullsQueued.get(id)]).toEqual([id, i % 4 === 0 ? 2 : 1]);
      expect(written.get(id) ?? 0).toBeLessThanOrEqual(changes.get(id) ?? 0);
      expect(written.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    }
    const mirror = await pipeline.mirror();
    expect(mirror.size).toBe(1000);
    for (const it of pipeline.simulator.items()) {
      expect(mirror.get(it.id)).toMatchObject({
        deleted: false,
        modifiedDate: it.modifiedDate,
        item: { fields: it.fields },
      });
    }
    expect(await pipeline.deadLetters()).toHaveLength(0);
    expect(pipeline.simulator.stats().maxAcceptedInAnyWindow).toBeLessThanOrEqual(10);
    const state = await pipeline.dynamodb.send(
      new ScanCommand({ TableName: pipeline.resources.tables.state }),
    );
    expect((state.Items ?? []).filter((row) => row.pk?.S?.startsWith('pending#'))).toEqual([]);
    // Fewest calls: 1,250 pulls fetched 50 at a time by documentKey (25 calls), plus a few partial pages.
    const reads = pipeline.simulator
      .calls()
      .filter((c) => !c.foreign && c.path.startsWith('/rest/v1/abstractitems'));
    expect(reads.length).toBeLessThanOrEqual(40);
    expect([...written.values()].reduce((a, b) => a + b, 0)).toBe(1250);
  }, 120_000);
});

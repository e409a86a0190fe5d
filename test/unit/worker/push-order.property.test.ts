import fc from 'fast-check';
import type { PatchOperation } from '../../../src/core/jama-types';
import type { PushJob } from '../../../src/core/jobs';
import { runPush } from '../../../src/core/worker/push';
import { FakeClock } from '../../support/fake-clock';
import { FakeJama, item } from '../../support/fakes';
import { OPTIONS, pushServices } from '../../support/reference-fakes';

const T0 = Date.UTC(2026, 0, 1);
const ITEMS = [1, 2, 3];
/** Fields as a sender names them, with the values they may take and what Jama stores for each. */
const FIELDS: Record<string, { key: string; values: readonly string[]; stored: (v: string) => unknown }> = {
  name: { key: 'name', values: ['a', 'b', 'c'], stored: (v) => v },
  Priority: {
    key: 'priority$24',
    values: ['High', 'Medium', 'Low'],
    stored: (v) => OPTIONS[89]?.find((o) => o.name === v)?.id,
  },
  status: {
    key: 'status',
    values: ['Draft', 'In Review', 'Approved'],
    stored: (v) => OPTIONS[88]?.find((o) => o.name === v)?.id,
  },
};

const change = fc.tuple(fc.constantFrom(...Object.keys(FIELDS)), fc.nat(2));
const pushArb = fc.record({
  itemId: fc.constantFrom(...ITEMS),
  changes: fc.uniqueArray(change, { minLength: 1, maxLength: 3, selector: ([field]) => field }),
});

/** A scenario: pushes with distinct occurredAt, each delivered once or more, shuffled, some deliveries crashing after the PATCH. */
const scenario = fc.array(pushArb, { minLength: 1, maxLength: 10 }).chain((pushes) =>
  fc.record({
    pushes: fc.constant(pushes),
    /** occurredAt offsets: a permutation, so "newest" is well defined and not delivery order. */
    order: fc.shuffledSubarray(
      pushes.map((_, i) => i),
      { minLength: pushes.length, maxLength: pushes.length },
    ),
    duplicates: fc.array(fc.nat(pushes.length - 1), { maxLength: 5 }),
    sortKeys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
      minLength: pushes.length + 5,
      maxLength: pushes.length + 5,
    }),
    crashes: fc.array(fc.boolean(), { minLength: pushes.length + 5, maxLength: pushes.length + 5 }),
  }),
);

describe('pushes delivered shuffled, duplicated and interrupted (property)', () => {
  it('end with every field holding its newest push, and no job PATCHes twice', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ pushes, order, duplicates, sortKeys, crashes }) => {
        const clock = new FakeClock(T0);
        const jama = new FakeJama(ITEMS.map((id) => item(id, { at: T0 - 60_000, modifiedBy: 10 })));
        const services = pushServices(clock);
        const jobs: PushJob[] = pushes.map((p, i) => {
          const at = T0 + (order[i] as number);
          return {
            v: 1,
            env: 'prod',
            kind: 'push',
            itemId: p.itemId,
            ops: p.changes.map(([field, v]) => ({
              op: 'replace' as const,
              path: `/fields/${field}`,
              value: FIELDS[field]?.values[v],
            })),
            occurredAt: at,
            ifUnmodifiedSince: at,
            acceptedAt: T0 + 1000,
            jobId: `job-${i}`,
          };
        });
        // Every push once, some again; delivered in a random order.
        const deliveries = [...jobs.map((_, i) => i), ...duplicates]
          .map((index, n) => ({ index, key: sortKeys[n] ?? 0, crash: crashes[n] ?? false }))
          .sort((a, b) => a.key - b.key);

        const patchesByJob = new Map<string, number>();
        let running = '';
        const patch = jama.patchItem.bind(jama);
        jama.patchItem = async (id: number, ops: readonly PatchOperation[]) => {
          patchesByJob.set(running, (patchesByJob.get(running) ?? 0) + 1);
          await patch(id, ops);
        };
        const commit = services.ledger.commit.bind(services.ledger);
        const queue = [...deliveries];
        for (let steps = 0; queue.length > 0; steps++) {
          if (steps > 500) throw new Error('deliveries never settled');
          const delivery = queue.shift() as (typeof queue)[number];
          const job = jobs[delivery.index] as PushJob;
          running = job.jobId as string;
          // A crash after the PATCH: the worker dies before the ledger and SQS hear of it; SQS redelivers.
          services.ledger.commit = delivery.crash ? () => Promise.reject(new Error('worker killed')) : commit;
          clock.advance(1);
          const result = await runPush(job, { jama: jama.asApi(), ...services, clock }).catch(
            () => undefined,
          );
          if (!result || result.outcome.type === 'deferred') queue.push({ ...delivery, crash: false });
          else expect(result.outcome.type).toBe('done');
        }

        for (const count of patchesByJob.values()) expect(count).toBe(1);
        for (const itemId of ITEMS) {
          const fields = jama.items.get(itemId)?.fields ?? {};
          for (const [field, spec] of Object.entries(FIELDS)) {
            const newest = jobs
              .filter((j) => j.itemId === itemId && j.ops.some((op) => op.path === `/fields/${field}`))
              .sort((a, b) => (b.occurredAt as number) - (a.occurredAt as number))[0];
            if (!newest) continue;
            const op = newest.ops.find((o) => o.path === `/fields/${field}`) as { value: string };
            expect(fields[spec.key]).toEqual(spec.stored(op.value));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

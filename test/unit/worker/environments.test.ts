import type { JobInput } from '../../../src/core/jobs';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { type EngineDeps, runBatch } from '../../../src/core/worker/sync-engine';
import { FakeClock, FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';
import { scanJob, T0 } from './scan-support';

const pull = (env: string, itemId: number): JobInput => ({
  v: 1,
  env,
  kind: 'pull',
  itemId,
  documentKey: `P-REQ-${itemId}`,
});

/** A Jama whose every call waits until `release()`, then answers as a paused limiter does. */
function pausedJama() {
  const jama = new FakeJama([item(1), item(2)]);
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 0;
  jama.getItemsByDocumentKeys = async () => {
    waiting++;
    await gate;
    throw new LimiterWaitError(3000);
  };
  return { api: jama.asApi(), release, waiting: () => waiting };
}

describe('a batch with several environments', () => {
  it('runs them side by side: an environment waiting on its limiter holds up no other', async () => {
    const paused = pausedJama();
    const healthy = new FakeJama([item(1), item(2), item(3)]);
    const sink = new MemorySink();
    const deps: EngineDeps = {
      jama: (env) => (env === 'paused' ? paused.api : env === 'healthy' ? healthy.asApi() : undefined),
      sinks: [sink],
      queue: new MemoryQueue(),
      clock: new FakeClock(),
    };
    // The paused environment's records come first, as a FIFO-ish receive would hand them over.
    const jobs = [pull('paused', 1), pull('paused', 2), pull('healthy', 1), pull('healthy', 3)];
    const batch = runBatch(
      jobs.map((job, i) => ({ id: `m${i}`, body: JSON.stringify(job) })),
      deps,
    );
    // While the paused environment still waits, the healthy one's items are already in the sink.
    for (let i = 0; i < 50 && sink.rows.size < 2; i++) await new Promise((r) => setTimeout(r, 2));
    expect(paused.waiting()).toBe(1);
    expect([...sink.rows.keys()].sort()).toEqual(['healthy/1', 'healthy/3']);
    paused.release();
    const results = await batch;
    expect(results.map((r) => [r.id, r.outcome.type])).toEqual([
      ['m0', 'throttled'],
      ['m1', 'throttled'],
      ['m2', 'done'],
      ['m3', 'done'],
    ]);
    // The throttled records carry the wait, so they go back to the queue delayed, not retried here.
    expect(results[0]?.outcome).toMatchObject({ by: 'limiter', retryAfterMs: 3000 });
    expect(sink.rows.has('paused/1')).toBe(false);
  });
});

describe("an environment's turn", () => {
  it('ends after about turnMs: reads not started go back to the queue (deferred), none is lost', async () => {
    const items = Array.from({ length: 20 }, (_, i) => item(i + 1));
    const jama = new FakeJama(items);
    const clock = new FakeClock();
    const getItem = jama.getItem.bind(jama);
    // Each read takes a second of the injected clock (waiting on the limiter, say).
    jama.getItem = async (id: number) => {
      clock.advance(1000);
      return getItem(id);
    };
    const sink = new MemorySink();
    const deps: EngineDeps = {
      jama: () => jama.asApi(),
      sinks: [sink],
      queue: new MemoryQueue(),
      clock,
      turnMs: 4000,
    };
    // No documentKey and no index: one GET /items/{id} per item.
    const jobs = items.map((it, i) => ({
      id: `m${i}`,
      body: JSON.stringify({ v: 1, env: 'busy', kind: 'pull', itemId: it.id }),
    }));
    const results = await runBatch(jobs, deps);
    const done = results.filter((r) => r.outcome.type === 'done').length;
    const deferred = results.filter((r) => r.outcome.type === 'deferred').length;
    // The turn is 4 s ± 50 %: 2 to 6 reads of a second each, then the rest is handed back.
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThanOrEqual(7);
    expect(done + deferred).toBe(20);
    expect(jama.count('getItem')).toBe(done);
    expect(sink.rows.size).toBe(done);
  });
});

describe('a slot too far away (LIMITER_WAIT) during a turn', () => {
  /** A Jama whose limiter refuses the first `refusals` reads with "next slot in `slotMs`". */
  function refusingJama(refusals: number, slotMs: number) {
    const jama = new FakeJama([item(1), item(2), item(3)]);
    const read = jama.getItemsByDocumentKeys.bind(jama);
    let left = refusals;
    const asked = { reads: 0 };
    jama.getItemsByDocumentKeys = async (keys: readonly string[]) => {
      asked.reads++;
      if (left-- > 0) throw new LimiterWaitError(slotMs);
      return read(keys);
    };
    return Object.assign(jama, { asked });
  }
  const run = (jama: FakeJama, clock: FakeClock, turnMs: number) =>
    runBatch(
      [1, 2, 3].map((id) => ({ id: `m${id}`, body: JSON.stringify(pull('low', id)) })),
      { jama: () => jama.asApi(), sinks: [new MemorySink()], queue: new MemoryQueue(), clock, turnMs },
    );

  it('is asked for again while the turn lasts, not handed back: the reads are done', async () => {
    const clock = new FakeClock();
    const jama = refusingJama(2, 2400);
    const results = await run(jama, clock, 8000);
    expect(results.map((r) => r.outcome.type)).toEqual(['done', 'done', 'done']);
    // Two refusals, each followed by half the way to the named slot; then one call for all three.
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBe(2 * 1200);
    expect(jama.asked.reads).toBe(3);
  });

  it('goes back to the queue delayed when the slot is beyond the turn', async () => {
    const clock = new FakeClock();
    const jama = refusingJama(100, 20_000);
    const results = await run(jama, clock, 4000);
    // Half of 20 s is past any turn of 4 s ± 50 %: no second ask.
    expect(results.map((r) => r.outcome)).toEqual(
      [1, 2, 3].map(() =>
        expect.objectContaining({ type: 'throttled', by: 'limiter', retryAfterMs: 20_000 }),
      ),
    );
    expect(jama.asked.reads).toBe(1);
  });
});

describe("reconciliation sized by each environment's rate", () => {
  it("splits a run into as many slices as its own environment's rate needs", async () => {
    const clock = new FakeClock(T0);
    const world = (n: number) => {
      const jama = new FakeJama(
        Array.from({ length: n }, (_, i) => item(i + 1, { at: T0 + (i + 1) * 1000 })),
      );
      const search = jama.searchAbstractItems.bind(jama);
      jama.searchAbstractItems = async (query) => {
        clock.advance(300); // a page takes 300 ms
        return search(query);
      };
      return jama;
    };
    const fast = world(4000);
    const slow = world(4000);
    const deps: EngineDeps = {
      jama: (env) => (env === 'fast' ? fast.asApi() : env === 'slow' ? slow.asApi() : undefined),
      sinks: [new MemorySink()],
      queue: new MemoryQueue(),
      clock,
      // As build-deps wires it: 0.9 × rate × background share.
      scanRate: (env) => (env === 'fast' ? 9 : env === 'slow' ? 1.8 : undefined),
    };
    const probes = (jama: FakeJama) =>
      jama.calls.filter((c) => (c.args as { maxResults?: number }).maxResults === 1).length;
    // One after the other, so that each page takes its 300 ms of the one fake clock.
    await runBatch([{ id: 'f', body: JSON.stringify(scanJob({ env: 'fast' })) }], deps);
    await runBatch([{ id: 's', body: JSON.stringify(scanJob({ env: 'slow' })) }], deps);
    // 9/s × 0.3 s × 1.2 → 4 readers (3 probes); 1.8/s × 0.3 s × 1.2 → 1 reader (no probe).
    expect(probes(fast)).toBe(3);
    expect(probes(slow)).toBe(0);
  });
});

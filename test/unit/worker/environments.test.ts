import { LimiterWaitError } from '../../../src/core/rate-limiter';
import type { JobInput } from '../../../src/core/worker/jobs';
import { type EngineDeps, runBatch } from '../../../src/core/worker/sync-engine';
import { FakeClock, FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';

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

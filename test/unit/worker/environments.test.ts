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

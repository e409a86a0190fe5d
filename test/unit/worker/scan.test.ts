import { JamaRateLimitedError } from '../../../src/core/jama-errors';
import type { ScanJob } from '../../../src/core/jobs';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { sliceCount } from '../../../src/core/worker/scan-settings';
import { FakeJama, item } from '../../support/fakes';
import { scanJob, scanWorld, T0 } from './scan-support';

const items = (n: number, at?: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => item(i + 1, at ? { at: at(i + 1) } : {}));

describe('scan: many pages per invocation, one cursor per slice', () => {
  it('reads every page of a small project in one invocation, then completes the run once', async () => {
    const w = scanWorld();
    const jama = new FakeJama(items(120));
    expect(await w.run(jama, scanJob())).toEqual({ type: 'done' });
    expect(w.sink.rows.size).toBe(120);
    expect(jama.count('searchAbstractItems')).toBe(3);
    expect(w.queue.sent).toHaveLength(0);
    expect(w.completed).toEqual([T0 + 120_000]);
  });

  it('pages through many items that share one lastActivityDate', async () => {
    const w = scanWorld();
    await w.run(new FakeJama(items(130, () => T0)), scanJob());
    expect(w.sink.rows.size).toBe(130);
  });

  it('misses no item when items are edited during the scan', async () => {
    const w = scanWorld();
    const jama = new FakeJama(items(150));
    const original = jama.searchAbstractItems.bind(jama);
    jama.searchAbstractItems = async (query) => {
      const page = await original(query);
      // After the first page, edit two already-written items (offset paging would skip others).
      if (jama.count('searchAbstractItems') === 1)
        for (const id of [3, 7]) jama.items.set(id, item(id, { at: T0 + 10_000_000 }));
      return page;
    };
    await w.run(jama, scanJob());
    expect(w.sink.rows.size).toBe(150);
  });

  it('hands the slice back with one message under a new token when its time is up, and goes on from the cursor', async () => {
    const w = scanWorld({ maxRunMs: 250 });
    const jama = new FakeJama(items(200));
    const original = jama.searchAbstractItems.bind(jama);
    jama.searchAbstractItems = async (query) => {
      w.clock.advance(100); // each page takes 100 ms
      return original(query);
    };
    await w.run(jama, scanJob());
    expect(jama.count('searchAbstractItems')).toBe(3);
    expect(w.queue.sent).toHaveLength(1);
    const next = w.queue.sent[0]?.job as ScanJob;
    expect(next).toMatchObject({ token: 'id-2', page: 3 });
    // The old message again (a duplicate) waits without a Jama call while the new one is due…
    expect(await w.run(jama, scanJob())).toMatchObject({ type: 'throttled', by: 'limiter' });
    expect(jama.count('searchAbstractItems')).toBe(3);
    await w.drain(jama, next);
    // … and stops once the slice is finished.
    expect(await w.run(jama, scanJob())).toMatchObject({ type: 'done', note: 'scan message done' });
    expect(w.sink.rows.size).toBe(200);
    expect(jama.count('searchAbstractItems')).toBe(4);
    expect(w.completed).toHaveLength(1);
  });

  it('lets a duplicate of a message whose slice is being read wait, and drops a finished one', async () => {
    const w = scanWorld();
    const jama = new FakeJama(items(60));
    const original = jama.searchAbstractItems.bind(jama);
    let duplicate: Promise<unknown> | undefined;
    jama.searchAbstractItems = async (query) => {
      duplicate ??= w.run(jama, scanJob());
      return original(query);
    };
    await w.run(jama, scanJob());
    expect(await duplicate).toMatchObject({ type: 'throttled', by: 'limiter' });
    expect(await w.run(jama, scanJob())).toMatchObject({ type: 'done', note: 'scan message done' });
    expect(jama.count('searchAbstractItems')).toBe(2);
  });

  it('hands back after a limiter wait or a 429 with the delay, and releases the slice after a failure', async () => {
    const w = scanWorld();
    const jama = new FakeJama(items(10));
    jama.failWith = () => new LimiterWaitError(4_200);
    await w.run(jama, scanJob());
    expect(w.queue.sent.at(-1)).toMatchObject({ delaySeconds: 5, job: { token: 'id-2' } });
    jama.failWith = () => new JamaRateLimitedError({ method: 'GET', path: '/x' });
    const before = jama.count('searchAbstractItems');
    await w.run(jama, w.queue.sent.at(-1)?.job as ScanJob);
    // Two 429s are waited out in place (the limiter holds the reader through its pause); the third hands back.
    expect(jama.count('searchAbstractItems') - before).toBe(3);
    expect(w.queue.sent.at(-1)?.job).toMatchObject({ token: 'id-4' });
    jama.failWith = () => new Error('socket hang up');
    expect(await w.run(jama, w.queue.sent.at(-1)?.job as ScanJob)).toMatchObject({ type: 'failed' });
    jama.failWith = () => undefined;
    // The same message, retried, may claim the slice again at once.
    await w.run(jama, w.queue.sent.at(-1)?.job as ScanJob);
    expect(w.sink.rows.size).toBe(10);
  });

  it('reads a page again after a 429 instead of handing the slice back', async () => {
    const w = scanWorld();
    const jama = new FakeJama(items(120));
    let calls = 0;
    // Every other call is refused: each refusal is waited out in place, and the count starts again after a page.
    jama.failWith = () =>
      ++calls % 2 === 0 ? new JamaRateLimitedError({ method: 'GET', path: '/x' }) : undefined;
    expect(await w.run(jama, scanJob())).toEqual({ type: 'done' });
    expect(w.sink.rows.size).toBe(120);
    expect(w.queue.sent).toHaveLength(0);
  });

  it('resumes a crashed reader’s slice from its cursor once the lease has run out', async () => {
    const w = scanWorld({ leaseMs: 5_000 });
    const jama = new FakeJama(items(150));
    const original = jama.searchAbstractItems.bind(jama);
    jama.searchAbstractItems = async (query) => {
      const page = await original(query);
      if (jama.count('searchAbstractItems') === 2) throw new Error('killed'); // crash after the read
      return page;
    };
    // Simulate the crash: the reader dies without releasing (the error path releases, so skip it).
    const release = w.cursors.release.bind(w.cursors);
    w.cursors.release = async () => undefined;
    await w.run(jama, scanJob());
    w.cursors.release = release;
    jama.searchAbstractItems = original;
    expect(await w.run(jama, scanJob())).toMatchObject({ type: 'throttled' }); // lease still held
    w.clock.advance(5_000);
    await w.run(jama, scanJob());
    expect(w.sink.rows.size).toBe(150);
    // Page 1 once, the crashed page 2 read again: no page more than twice.
    expect(jama.count('searchAbstractItems')).toBe(4);
  });

  it('splits a large project into slices at the items found by one-item probes, and completes the run once', async () => {
    const w = scanWorld({ targetRate: 9, minPagesPerSlice: 2 });
    const jama = new FakeJama(items(1_000, (i) => T0 + i * 1000));
    const original = jama.searchAbstractItems.bind(jama);
    jama.searchAbstractItems = async (query) => {
      w.clock.advance(300);
      return original(query);
    };
    await w.drain(jama, scanJob());
    const pages = jama.calls.filter((c) => (c.args as { maxResults?: number }).maxResults === 50).length;
    const probes = jama.count('searchAbstractItems') - pages;
    const slices = sliceCount(20, 300, w.deps.settings);
    expect(slices).toBe(4);
    expect(probes).toBe(slices - 1);
    expect(pages).toBeLessThanOrEqual(20 + slices);
    expect(w.sink.rows.size).toBe(1_000);
    expect(w.completed).toEqual([T0 + 1_000_000]);
    const run = await w.cursors.run({ env: 'prod', projectId: 20, kind: 'items', runId: 'r1' });
    expect(run).toMatchObject({ slices: 4, total: 1_000, doneSlices: [0, 1, 2, 3] });
  });

  it('marks every item a full run writes with its run id, and leaves incremental runs unmarked', async () => {
    for (const [mode, seenRun] of [
      ['full', 'r1'],
      ['incremental', undefined],
    ] as const) {
      const w = scanWorld();
      await w.run(new FakeJama(items(2)), scanJob({ mode }));
      expect([...w.sink.rows.values()].map((r) => (r.kind === 'item' ? r.seenRun : 'x'))).toEqual([
        seenRun,
        seenRun,
      ]);
    }
  });

  it('stops a run that a newer run has taken over without a Jama call', async () => {
    const w = scanWorld();
    const jama = new FakeJama(items(5));
    const outcome = await w.run(jama, scanJob(), { isLive: async () => false });
    expect(outcome).toMatchObject({ type: 'done' });
    expect(jama.count('searchAbstractItems')).toBe(0);
  });
});

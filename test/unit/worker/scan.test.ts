import type { ScanJob } from '../../../src/core/worker/jobs';
import { runScan } from '../../../src/core/worker/scan';
import { FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';

const T0 = Date.UTC(2025, 0, 1);
const scan = (over: Partial<ScanJob> = {}): ScanJob => ({
  v: 1,
  env: 'prod',
  kind: 'scan',
  projectId: 20,
  mode: 'full',
  runId: 'r1',
  from: 0,
  skip: 0,
  page: 0,
  ...over,
});

async function drain(jama: FakeJama, first: ScanJob, between?: (page: number) => void) {
  const sink = new MemorySink();
  const queue = new MemoryQueue();
  let job: ScanJob | undefined = first;
  let completed: number | undefined;
  let pages = 0;
  while (job) {
    const outcome = await runScan(jama.asApi(), job, {
      sinks: [sink],
      queue,
      onComplete: async (_job, newest) => {
        completed = newest;
      },
    });
    expect(outcome.type).toBe('done');
    between?.(pages);
    pages++;
    job = queue.sent.shift()?.job as ScanJob | undefined;
  }
  return { sink, pages, completed };
}

describe('scan', () => {
  it('writes every item of a project page by page, enqueuing each next page', async () => {
    const jama = new FakeJama(Array.from({ length: 120 }, (_, i) => item(i + 1)));
    const { sink, pages, completed } = await drain(jama, scan());
    expect(sink.rows.size).toBe(120);
    expect(pages).toBe(3);
    expect(jama.count('searchAbstractItems')).toBe(3);
    expect(completed).toBe(T0 + 120_000);
  });

  it('pages through many items that share one lastActivityDate', async () => {
    const jama = new FakeJama(Array.from({ length: 130 }, (_, i) => item(i + 1, { at: T0 })));
    const { sink } = await drain(jama, scan());
    expect(sink.rows.size).toBe(130);
  });

  it('misses no item when items are edited during the scan', async () => {
    const jama = new FakeJama(Array.from({ length: 150 }, (_, i) => item(i + 1)));
    const { sink } = await drain(jama, scan(), (page) => {
      if (page === 0) {
        // Edit two already-written items: with offset paging this would shift unseen items out.
        for (const id of [3, 7]) jama.items.set(id, item(id, { at: T0 + 10_000_000 }));
      }
    });
    expect(sink.rows.size).toBe(150);
  });
});

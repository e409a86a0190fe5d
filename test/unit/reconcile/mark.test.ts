import type { ScanJob } from '../../../src/core/worker/jobs';
import { runScan } from '../../../src/core/worker/scan';
import { FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';

const scan = (mode: ScanJob['mode']): ScanJob => ({
  v: 1,
  env: 'prod',
  kind: 'scan',
  projectId: 20,
  mode,
  runId: 'run-7',
  from: 0,
  skip: 0,
  page: 0,
  startedAt: Date.UTC(2026, 0, 1),
});

describe('scan marks for the sweep', () => {
  it.each([
    ['marks every item a full run writes with its run id', 'full' as const, 'run-7'],
    ['leaves items of an incremental run unmarked', 'incremental' as const, undefined],
  ])('%s', async (_name, mode, seenRun) => {
    const sink = new MemorySink();
    const queue = new MemoryQueue();
    await runScan(new FakeJama([item(1), item(2)]).asApi(), scan(mode), { sinks: [sink], queue });
    expect([...sink.rows.values()].map((r) => (r.kind === 'item' ? r.seenRun : 'tombstone'))).toEqual([
      seenRun,
      seenRun,
    ]);
  });

  it('carries the run start to the next page', async () => {
    const queue = new MemoryQueue();
    const jama = new FakeJama(Array.from({ length: 60 }, (_, i) => item(i + 1)));
    await runScan(jama.asApi(), scan('full'), { sinks: [new MemorySink()], queue });
    expect(queue.sent[0]?.job).toMatchObject({ page: 1, startedAt: Date.UTC(2026, 0, 1), runId: 'run-7' });
  });
});

import type { ScanJob } from '../../../src/core/jobs';
import { makeScanCompletion } from '../../../src/core/reconcile/complete';
import { FakeClock, MemoryQueue } from '../../support/fakes';
import { MemoryState, MemorySweep } from './memory-state';

const T0 = Date.UTC(2026, 0, 1);
const job = (over: Partial<ScanJob> = {}): ScanJob => ({
  v: 1,
  env: 'prod',
  kind: 'scan',
  projectId: 20,
  mode: 'full',
  runId: 'full-1',
  from: 0,
  skip: 0,
  slice: 0,
  token: 'start',
  page: 40,
  startedAt: T0,
  ...over,
});

function setup() {
  const clock = new FakeClock(T0 + 60_000);
  const queue = new MemoryQueue();
  const state = new MemoryState();
  const sweep = new MemorySweep([
    { env: 'prod', projectId: 20, itemId: 1, documentKey: 'P-1', seen: 'full-1' },
    { env: 'prod', projectId: 20, itemId: 2, documentKey: 'P-2', seen: 'full-0' },
    { env: 'prod', projectId: 20, itemId: 3 },
    { env: 'prod', projectId: 21, itemId: 4, documentKey: 'Q-4' },
  ]);
  return { clock, queue, state, complete: makeScanCompletion({ state, sweep, queue, clock }) };
}

describe('scan completion', () => {
  it('sweeps a full run: unmarked rows of the project become pulls that verify them in Jama', async () => {
    const { queue, complete } = setup();
    await complete(job(), T0 - 1000);
    expect(queue.sent.map((s) => s.job)).toEqual([
      { v: 1, env: 'prod', kind: 'pull', itemId: 2, projectId: 20, documentKey: 'P-2' },
      { v: 1, env: 'prod', kind: 'pull', itemId: 3, projectId: 20 },
    ]);
  });

  it('does not sweep after a full run that saw no item at all', async () => {
    const { queue, complete } = setup();
    await complete(job(), undefined);
    expect(queue.sent).toHaveLength(0);
  });

  it('does not sweep after an incremental run', async () => {
    const { queue, complete } = setup();
    await complete(job({ mode: 'incremental', runId: 'inc-1' }), T0 - 1000);
    expect(queue.sent).toHaveLength(0);
  });

  it('advances the watermark to the newest change seen, capped at the run start, never backwards', async () => {
    const { state, complete } = setup();
    await complete(job({ mode: 'incremental', runId: 'a' }), T0 + 5000);
    expect(await state.watermark('prod', 20)).toEqual({ at: T0, runId: 'a' });
    await complete(job({ mode: 'incremental', runId: 'b', startedAt: T0 - 50_000 }), T0 - 60_000);
    expect(await state.watermark('prod', 20)).toEqual({ at: T0, runId: 'a' });
  });

  it('finishes the run, so the next run of its mode may start', async () => {
    const { state, clock, complete } = setup();
    await state.claimRun('prod', 20, 'full', { runId: 'full-1', startedAt: T0 }, 0);
    await complete(job(), T0 - 1000);
    expect(state.runs.get('prod#20#full')).toEqual({
      runId: 'full-1',
      startedAt: T0,
      finishedAt: clock.now(),
    });
  });
});

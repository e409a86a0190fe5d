import type { ScanJob } from '../../../src/core/jobs';
import { InMemoryRunCursorStore } from '../../../src/core/reconcile/memory-cursors';
import type { Outcome } from '../../../src/core/worker/outcome';
import { runScan, type ScanDeps } from '../../../src/core/worker/scan';
import { DEFAULT_SCAN_SETTINGS, type ScanSettings } from '../../../src/core/worker/scan-settings';
import { FakeClock, type FakeJama, MemoryQueue, MemorySink } from '../../support/fakes';
import { scanJob } from '../../support/jobs';

export { scanJob };

export const T0 = Date.UTC(2025, 0, 1);

/** A scan's world: sink, queue, cursors and a fake clock; `run` runs one job. */
export function scanWorld(settings: Partial<ScanSettings> = {}) {
  const sink = new MemorySink();
  const queue = new MemoryQueue();
  const cursors = new InMemoryRunCursorStore();
  const clock = new FakeClock(T0);
  const completed: (number | undefined)[] = [];
  let ids = 0;
  const deps: ScanDeps = {
    sinks: [sink],
    queue,
    cursors,
    clock,
    settings: { ...DEFAULT_SCAN_SETTINGS, ...settings },
    newId: () => `id-${++ids}`,
    onComplete: async (_job, newest) => {
      completed.push(newest);
    },
  };
  const run = (jama: FakeJama, job: ScanJob, over: Partial<ScanDeps> = {}): Promise<Outcome> =>
    runScan(jama.asApi(), job, { ...deps, ...over });
  /** Runs the first job and every job it hands on, until none is left. */
  const drain = async (jama: FakeJama, first: ScanJob) => {
    const pending: ScanJob[] = [first];
    const outcomes: Outcome[] = [];
    for (let job = pending.shift(); job; job = pending.shift()) {
      const before = queue.sent.length;
      outcomes.push(await run(jama, job));
      pending.push(...queue.sent.slice(before).map((s) => s.job as ScanJob));
    }
    return outcomes;
  };
  return { sink, queue, cursors, clock, completed, deps, run, drain };
}

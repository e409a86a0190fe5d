import type { Clock } from '../clock';
import type { PullJob, ScanJob } from '../jobs';
import type { JobQueue } from '../ports/job-queue';
import type { ReconcileStateStore, SweepSource } from '../ports/reconcile-state';
import { watermarkAfter } from './plan';

export interface CompletionDeps {
  state: ReconcileStateStore;
  /** The mirror's unmarked rows; without it (forward-only sinks) full runs do not sweep. */
  sweep?: SweepSource | undefined;
  /** Where sweep pulls go: the queue the finishing scan came from. */
  queue: JobQueue;
  clock: Clock;
}

/** Sweep pulls are sent in groups this large while the mirror is read. */
const SEND_GROUP = 100;

/**
 * The worker's `onScanComplete`: runs once the last page of a run is in the sinks.
 *
 * 1. A full run sweeps: every live mirror row of the project that the run did not mark becomes a
 *    `pull` job. The pull is the verification — rows whose item still exists (created after the
 *    scan passed, or rewritten by a webhook meanwhile) are refreshed, and only items Jama answers
 *    404 for become tombstones — so an item missed because of a concurrent edit is never wrongly
 *    tombstoned. Pulls are batched 50 per call by documentKey, and the work is spread over queue
 *    jobs instead of running inside this invocation. A run that saw no item at all does not sweep:
 *    an empty answer more likely means lost project access than a project emptied of every item.
 * 2. The watermark advances ({@link watermarkAfter}); the store refuses to move it backwards.
 * 3. The run's lease is released, so the next scheduled run of this mode may start.
 *
 * Every step is idempotent, so a retry of the last page that repeats them is harmless.
 */
export function makeScanCompletion(deps: CompletionDeps) {
  return async (job: ScanJob, newestActivity: number | undefined): Promise<void> => {
    if (job.mode === 'full' && deps.sweep && newestActivity !== undefined) {
      let pending: PullJob[] = [];
      for await (const row of deps.sweep.unseen(job.env, job.projectId, job.runId)) {
        pending.push({
          v: 1,
          env: job.env,
          kind: 'pull',
          itemId: row.itemId,
          projectId: job.projectId,
          ...(row.documentKey ? { documentKey: row.documentKey } : {}),
        });
        if (pending.length >= SEND_GROUP) {
          await deps.queue.send(pending);
          pending = [];
        }
      }
      if (pending.length > 0) await deps.queue.send(pending);
    }
    const at = watermarkAfter(job, newestActivity);
    if (at !== undefined) await deps.state.advanceWatermark(job.env, job.projectId, { at, runId: job.runId });
    await deps.state.finishRun(job.env, job.projectId, job.mode, job.runId, deps.clock.now());
  };
}

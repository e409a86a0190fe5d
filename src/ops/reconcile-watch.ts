import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { runKey } from '../adapters/watermarks';
import type { ReconcileSummary } from '../core/reconcile/start';
import type { Deployment } from './deployment';
import { aws } from './errors';
import { queueStats, total } from './queue-stats';

export interface RunProgress {
  /** Projects whose run has finished (its last page is in the sinks), of those started. */
  finished: number;
  started: number;
  reconcileBacklog: number;
  jobsBacklog: number;
  deadLetters: number;
  /** True once every run finished and the reconcile queue is drained (full runs' sweep pulls included). */
  done: boolean;
  /** Runs unfinished with nothing left on the reconcile queue: their scan chain ended in the DLQ. */
  stalled: boolean;
}

/** Whether a project's run has finished: its lease carries `finishedAt`, or a newer run took it. */
async function finished(d: Deployment, summary: ReconcileSummary, env: string, projectId: number) {
  const out = await aws('read a run lease', () =>
    d.dynamodb.send(
      new GetItemCommand({
        TableName: d.tables.state,
        Key: { pk: { S: runKey(env, projectId, summary.mode) } },
        ConsistentRead: true,
      }),
    ),
  );
  const item = out.Item;
  return !item || item.runId?.S !== summary.runId || item.finishedAt !== undefined;
}

/** One look at the runs a reconciliation started. */
export async function runProgress(d: Deployment, summary: ReconcileSummary): Promise<RunProgress> {
  const done = await Promise.all(summary.started.map((s) => finished(d, summary, s.env, s.projectId)));
  const [jobs, reconcile, dlq] = await queueStats(d, { peek: false });
  const count = done.filter(Boolean).length;
  const reconcileBacklog = reconcile ? total(reconcile) : 0;
  return {
    finished: count,
    started: summary.started.length,
    reconcileBacklog,
    jobsBacklog: jobs ? total(jobs) : 0,
    deadLetters: dlq ? total(dlq) : 0,
    done: count === summary.started.length && reconcileBacklog === 0,
    stalled: count < summary.started.length && reconcileBacklog === 0,
  };
}

/**
 * Polls until the runs finish, calling `onProgress` after each look; resolves with the last one.
 * `signal` stops watching (the runs go on).
 */
export async function watchRuns(
  d: Deployment,
  summary: ReconcileSummary,
  onProgress: (p: RunProgress) => void,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<RunProgress> {
  // Queue attributes lag a little: believe a stall only after several looks in a row.
  let stalledLooks = 0;
  for (;;) {
    const progress = await runProgress(d, summary);
    stalledLooks = progress.stalled ? stalledLooks + 1 : 0;
    onProgress(progress);
    if (progress.done || stalledLooks >= 5 || options.signal?.aborted) return progress;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
}

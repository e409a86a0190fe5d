import { chunk } from '../chunk';
import type { Clock } from '../clock';
import { ConfigError, type ErrorCode, isJamaSyncError, JamaSyncError } from '../errors';
import type { JamaActivity } from '../jama-types';
import type { JamaActivitySource } from '../ports/jama-api';
import type { JobQueue } from '../ports/job-queue';
import type { ReconcileMode, ReconcileStateStore, RunLease } from '../ports/reconcile-state';
import { relationshipScanFor } from '../relationships/scan';
import type { RunCursorStore } from './cursor';
import { deleteJobs } from './deletes';
import { planProject, type ReconcileRequest, type ReconcileTarget, runIdFor, targetsOf } from './plan';
import { runProgress } from './progress';

/** What starting a reconciliation needs; every Jama call goes through the environment's limiter. */
export interface StartDeps {
  /** Configured environments and the projects each reconciles. */
  environments: readonly { name: string; projects: readonly number[] }[];
  jama(env: string): JamaActivitySource | undefined;
  /** The reconcile queue: scan and delete jobs go here. */
  queue: JobQueue;
  state: ReconcileStateStore;
  clock: Clock;
  /** @default 120000 */
  overlapMs: number;
  /** A run unfinished after this long no longer blocks a new one. @default 21600000 */
  leaseMs: number;
  /** The unique part of a run id. */
  nonce(): string;
  /** The runs' cursors: a run none of whose cursors moved for `stallMs` is taken over. */
  cursors?: RunCursorStore;
  /** @default 1800000 (30 min) */
  stallMs?: number;
}

export interface ReconcileSummary {
  runId: string;
  mode: ReconcileMode;
  started: (ReconcileTarget & { from: number; deletes: number })[];
  skipped: (ReconcileTarget & { reason: string })[];
  /** `code` is the stable code of a jama-sync error (e.g. `LIMITER_WAIT`), when it was one. */
  failed: (ReconcileTarget & { error: string; code?: ErrorCode })[];
}

/** Delete jobs are sent in groups this large. */
const SEND_GROUP = 100;

/**
 * Starts a run for each project the request covers: takes the project's lease for the mode (a run
 * still in progress is skipped, so slow scans never pile up), reads DELETE activities since the
 * watermark into delete jobs (incremental runs), then enqueues the first scan job. It pages no
 * items itself; the scan jobs do, one page per job, sharing the limiter with everything else. A
 * project that fails to start gives its lease back and is reported; the others still start.
 *
 * @example
 * const summary = await startReconcile({ mode: 'incremental' }, deps);
 */
export async function startReconcile(
  request: ReconcileRequest,
  deps: StartDeps,
  signal?: AbortSignal,
): Promise<ReconcileSummary> {
  const targets = targetsOf(request, deps.environments);
  const now = deps.clock.now();
  const { mode } = request;
  const runId = runIdFor(mode, now, deps.nonce());
  const summary: ReconcileSummary = { runId, mode, started: [], skipped: [], failed: [] };

  for (const target of targets) {
    const { env, projectId } = target;
    const lease = { runId, startedAt: now };
    const claimed =
      (await deps.state.claimRun(env, projectId, mode, lease, now - deps.leaseMs)) ||
      (await takeOverStalled(deps, target, mode, lease));
    if (!claimed) {
      summary.skipped.push({ ...target, reason: `a ${mode} run of this project is still in progress` });
      continue;
    }
    try {
      const jama = deps.jama(env);
      if (!jama) throw new ConfigError(`no Jama client for environment \`${env}\``);
      const watermark = mode === 'incremental' ? await deps.state.watermark(env, projectId) : undefined;
      const plan = planProject({ target, mode, runId, now, overlapMs: deps.overlapMs, watermark });
      const deletes =
        plan.deletesSince === undefined
          ? 0
          : await enqueueDeletes(jama, deps.queue, target, plan.deletesSince, signal);
      // Relationships travel beside the items: their own job, same run (src/core/relationships/).
      await deps.queue.send([plan.scan, relationshipScanFor(plan)]);
      summary.started.push({ ...target, from: plan.scan.from, deletes });
    } catch (error) {
      await deps.state.releaseRun(env, projectId, mode, runId).catch(() => undefined);
      summary.failed.push({
        ...target,
        error: error instanceof Error ? error.message : String(error),
        ...(isJamaSyncError(error) ? { code: error.code } : {}),
      });
    }
  }
  return summary;
}

async function enqueueDeletes(
  jama: JamaActivitySource,
  queue: JobQueue,
  { env, projectId }: ReconcileTarget,
  since: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const activities: JamaActivity[] = [];
  const query = { project: projectId, date: [since], eventType: ['DELETE'], objectType: ['ITEM'] } as const;
  for await (const activity of jama.iterateActivities(query, signal ? { signal } : {}))
    activities.push(activity);
  const jobs = deleteJobs(env, activities);
  for (const group of chunk(jobs, SEND_GROUP)) await queue.send(group);
  return jobs.length;
}

/**
 * Takes the lease from the run holding it when none of that run's cursors has moved for `stallMs`
 * (its scan chain dead-lettered, or its messages were lost), so that the next scheduled run starts
 * instead of being skipped for hours. The stalled run's messages, if any come back, stop at once:
 * a scan whose run no longer holds the lease reads nothing.
 */
async function takeOverStalled(
  deps: StartDeps,
  { env, projectId }: ReconcileTarget,
  mode: ReconcileMode,
  lease: RunLease,
): Promise<boolean> {
  if (!deps.cursors) return false;
  const held = await deps.state.currentRun(env, projectId, mode);
  if (!held || held.finishedAt !== undefined) return false;
  const run = { env, projectId, kind: 'items', runId: held.runId };
  const progress = await runProgress(deps.cursors, run, held.startedAt, lease.startedAt);
  if (lease.startedAt - progress.lastAdvancedAt < (deps.stallMs ?? 30 * 60_000)) return false;
  return deps.state.takeOverRun(env, projectId, mode, held.runId, lease);
}

/** Some projects of a reconciliation did not start (each named with its reason); invoking again starts them. */
export class ReconcileNotStartedError extends JamaSyncError {
  constructor(summary: ReconcileSummary) {
    const which = summary.failed.map((f) => `${f.env}/${f.projectId}: ${f.error}`).join('; ');
    super('RECONCILE_NOT_STARTED', `Reconciliation ${summary.runId} did not start for ${which}`);
  }
}

import { z } from 'zod';
import { JobInvalidError } from '../errors';
import type { ScanJob } from '../jobs';
import type { ReconcileMode, Watermark } from '../ports/reconcile-state';

/**
 * What to reconcile: the JSON of an on-demand invoke, or the `detail` of an EventBridge event.
 * `projects` replaces the configured list (it needs `env` when several environments are configured).
 */
export const reconcileRequestSchema = z
  .object({
    /** @default 'incremental' */
    mode: z.enum(['incremental', 'full']).default('incremental'),
    projects: z.array(z.number().int().positive()).min(1).optional(),
    env: z.string().min(1).optional(),
  })
  .strict();

export type ReconcileRequest = z.infer<typeof reconcileRequestSchema>;

/** One project of one environment. */
export interface ReconcileTarget {
  env: string;
  projectId: number;
}

/** The first scan job of a project's run and, for incremental runs, where DELETE activities start. */
export interface ProjectPlan {
  scan: ScanJob;
  /** Read DELETE activities from here (epoch ms); absent when the run reads none. */
  deletesSince?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a request from the function's event: an EventBridge event carries it in `detail` (a rule
 * with a constant input, or EventBridge Scheduler, passes the JSON itself). An empty event is an
 * incremental run of every configured project.
 *
 * @throws {JobInvalidError} `JOB_INVALID`, naming each bad field.
 * @example
 * parseReconcileRequest({ 'detail-type': 'Scheduled Event', detail: { mode: 'full' } }); // { mode: 'full' }
 */
export function parseReconcileRequest(event: unknown): ReconcileRequest {
  const body = isObject(event) && isObject(event.detail) ? event.detail : (event ?? {});
  const parsed = reconcileRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
  throw new JobInvalidError(`Invalid reconcile request: ${why}`);
}

/** The projects a request covers, environment by environment, in configuration order. */
export function targetsOf(
  request: ReconcileRequest,
  environments: readonly { name: string; projects: readonly number[] }[],
): ReconcileTarget[] {
  const names = environments.map((e) => e.name);
  if (request.env !== undefined && !names.includes(request.env)) {
    const known = `configured: ${names.join(', ')}`;
    throw new JobInvalidError(
      `Invalid reconcile request: env: unknown environment \`${request.env}\` (${known})`,
    );
  }
  const chosen = environments.filter((e) => request.env === undefined || e.name === request.env);
  if (request.projects && chosen.length > 1) {
    throw new JobInvalidError(
      'Invalid reconcile request: projects: name the environment (`env`) they belong to',
    );
  }
  return chosen.flatMap((e) =>
    [...new Set(request.projects ?? e.projects)].map((projectId) => ({ env: e.name, projectId })),
  );
}

/**
 * Plans one project's run. A full run pages every item from the start under a fresh run id (its
 * sweep finds what it did not see). An incremental run starts `overlapMs` before the watermark —
 * re-reading a little covers changes committed late and ties at the boundary — and reads DELETE
 * activities from the same point; the first incremental run copies everything and reads no
 * activities, since an item deleted before the first copy was never in the mirror.
 *
 * @example
 * planProject({ target: { env: 'prod', projectId: 20 }, mode: 'incremental', runId: 'r1',
 *   now, overlapMs: 120_000, watermark: { at: t, runId: 'r0' } }); // scan from t − 2 min
 */
export function planProject(input: {
  target: ReconcileTarget;
  mode: ReconcileMode;
  runId: string;
  now: number;
  overlapMs: number;
  watermark?: Watermark | undefined;
}): ProjectPlan {
  const { target, mode, runId, now, watermark } = input;
  const from = mode === 'incremental' && watermark ? Math.max(0, watermark.at - input.overlapMs) : 0;
  const scan: ScanJob = {
    v: 1,
    env: target.env,
    kind: 'scan',
    projectId: target.projectId,
    mode,
    runId,
    from,
    skip: 0,
    page: 0,
    slice: 0,
    token: 'start',
    startedAt: now,
  };
  return mode === 'incremental' && watermark ? { scan, deletesSince: from } : { scan };
}

/**
 * Where a finished run leaves the watermark: the newest `lastActivityDate` it saw, but never past
 * the run's start. Every change up to the newest date seen is in the sinks (the keyset scan meets
 * an item edited mid-run again later in the same run); capping at the start makes the next run
 * re-read whatever changed while this one ran, when commits racing the scan are likeliest. Both
 * bounds are observed dates, so clock skew between Lambda and Jama cannot carry it past Jama's
 * time; the overlap absorbs commits that land late. Undefined when the run saw nothing.
 */
export function watermarkAfter(job: ScanJob, newestActivity: number | undefined): number | undefined {
  if (newestActivity === undefined) return undefined;
  return job.startedAt === undefined ? newestActivity : Math.min(newestActivity, job.startedAt);
}

/** A run id that sorts by start time, e.g. `full-20260101T031500Z-3f9c2a1b`. */
export function runIdFor(mode: ReconcileMode, now: number, nonce: string): string {
  const stamp = new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return `${mode}-${stamp}-${nonce}`.slice(0, 100);
}

import { chunk } from '../chunk';
import { parseJamaDate } from '../jama-date';
import type { JamaActivity } from '../jama-types';
import type { RelationshipPullJob, RelationshipScanJob } from '../jobs';
import type { CallOptions } from '../ports/jama-api';
import type { JobQueue } from '../ports/job-queue';
import type { RelationshipApi } from '../ports/relationship-api';
import type { ProjectPlan } from '../reconcile/plan';
import { done, type Outcome } from '../worker/outcome';
import { type RelationshipRecord, type RelationshipSweepSource, writeRelationshipSinks } from './records';
import type { JamaActivitySource, JamaRelationship, RelationshipCursor } from './types';

/** Pages one relationship-scan job reads before it hands the rest to the next job… */
export const PAGES_PER_JOB = 20;
/** …or once this long has passed, well inside any worker deadline (a cut-off page is read twice). */
export const JOB_BUDGET_MS = 2_000;

/** Relationship ids per pull job: one job re-reads at most this many, one call each. */
export const PULL_GROUP = 50;

export interface RelationshipScanDeps {
  jama: RelationshipApi & JamaActivitySource;
  sinks: readonly object[];
  queue: JobQueue;
  now(): number;
  /** The mirror's relationship rows; without it (forward-only sinks) full runs do not sweep. */
  sweep?: RelationshipSweepSource | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The relationship job of a reconciliation run, beside the item scan of the same project
 * ({@link relationshipScanFor}):
 *
 * - incremental (`since` set): reads the project's RELATIONSHIP activities since then; the latest
 *   event per relationship decides — a DELETE tombstones it at once (dated by Jama), a CREATE or
 *   UPDATE queues a re-read of just that relationship. Nothing else is read.
 * - otherwise: pages of 50 of `GET /relationships?project=P` straight into the sinks (marked with
 *   the run id when full), up to {@link PAGES_PER_JOB} per job, then the rest as the next job; after the last page of a full
 *   run that saw any relationship, every live mirror row of the project it did not mark is queued
 *   for a re-read, which tombstones it only if Jama answers 404.
 */
export async function runRelationshipScan(
  job: RelationshipScanJob,
  deps: RelationshipScanDeps,
): Promise<Outcome> {
  const options: CallOptions = deps.signal ? { signal: deps.signal } : {};
  if (job.since !== undefined) return fromActivities(job, job.since, deps, options);

  let cursor: RelationshipCursor = { lastId: job.lastId, startAt: job.startAt, paging: job.paging };
  // Several pages per job (each in the sinks before the next is read) save a queue hop per page;
  // a job that must stop hands the rest back as the next job, and a retry re-reads from its cursor.
  const started = deps.now();
  for (let pages = 0; ; pages++) {
    const page = await deps.jama.listRelationships(job.projectId, cursor, options);
    const names = await typeNames(deps.jama, page.data, options);
    const now = deps.now();
    const records: RelationshipRecord[] = page.data.map((relationship) =>
      relationshipRecord(relationship, {
        projectId: job.projectId,
        observedAt: now,
        name: names.get(relationship.relationshipType),
        ...(job.mode === 'full' ? { seenRun: job.runId } : {}),
      }),
    );
    const failures = await writeRelationshipSinks(deps.sinks, job.env, records);
    const [firstFailure] = failures.values();
    if (firstFailure) return { type: 'failed', error: firstFailure };
    if (!page.next) {
      const sawAny = cursor.startAt + page.data.length > 0;
      if (job.mode === 'full' && sawAny && deps.sweep) await sweep(job, deps.sweep, deps.queue);
      return done;
    }
    cursor = page.next;
    if (pages + 1 >= PAGES_PER_JOB || deps.now() - started >= JOB_BUDGET_MS || deps.signal?.aborted) break;
  }
  const { meta: _meta, ...rest } = job;
  const { paging, ...next } = cursor;
  await deps.queue.send([{ ...rest, ...next, ...(paging ? { paging } : {}), page: job.page + 1 }]);
  return done;
}

async function fromActivities(
  job: RelationshipScanJob,
  since: number,
  deps: RelationshipScanDeps,
  options: CallOptions,
): Promise<Outcome> {
  const query = { project: job.projectId, date: [since] as const, objectType: ['RELATIONSHIP'] as const };
  const latest = new Map<number, JamaActivity>();
  for await (const activity of deps.jama.iterateActivities(query, options)) {
    if (activity.objectType !== 'RELATIONSHIP' || typeof activity.item !== 'number' || activity.item <= 0)
      continue;
    const seen = latest.get(activity.item);
    if (!seen || activity.date >= seen.date) latest.set(activity.item, activity);
  }
  const deleted: RelationshipRecord[] = [];
  const changed: number[] = [];
  for (const [relationshipId, activity] of latest) {
    if (activity.eventType === 'DELETE') {
      deleted.push({
        kind: 'relationship-tombstone',
        relationshipId,
        projectId: job.projectId,
        deletedAt: dateOf(activity.date) ?? deps.now(),
      });
    } else if (activity.eventType === 'CREATE' || activity.eventType === 'UPDATE') {
      changed.push(relationshipId);
    }
  }
  const failures = await writeRelationshipSinks(deps.sinks, job.env, deleted);
  const [firstFailure] = failures.values();
  if (firstFailure) return { type: 'failed', error: firstFailure };
  const pulls: RelationshipPullJob[] = chunk(changed, PULL_GROUP).map((relationshipIds) => ({
    v: 1,
    env: job.env,
    kind: 'relationship-pull',
    relationshipIds,
    projectId: job.projectId,
  }));
  for (const group of chunk(pulls, 10)) await deps.queue.send(group);
  return done;
}

async function sweep(
  job: RelationshipScanJob,
  source: RelationshipSweepSource,
  queue: JobQueue,
): Promise<void> {
  let ids: number[] = [];
  const flush = async () => {
    const jobs: RelationshipPullJob[] = chunk(ids, PULL_GROUP).map((relationshipIds) => ({
      v: 1,
      env: job.env,
      kind: 'relationship-pull',
      relationshipIds,
      projectId: job.projectId,
    }));
    for (const group of chunk(jobs, 10)) await queue.send(group);
    ids = [];
  };
  for await (const id of source.unseenRelationships(job.env, job.projectId, job.runId)) {
    ids.push(id);
    if (ids.length >= PULL_GROUP * 10) await flush();
  }
  if (ids.length > 0) await flush();
}

/** The sink record of a relationship as Jama returned it. */
export function relationshipRecord(
  relationship: JamaRelationship,
  at: { projectId?: number | undefined; observedAt: number; name?: string | undefined; seenRun?: string },
): RelationshipRecord {
  return {
    kind: 'relationship',
    relationshipId: relationship.id,
    ...(at.projectId === undefined ? {} : { projectId: at.projectId }),
    observedAt: at.observedAt,
    relationship,
    ...(at.name === undefined ? {} : { relationshipTypeName: at.name }),
    ...(at.seenRun ? { seenRun: at.seenRun } : {}),
  };
}

/**
 * Names of the relationship types on a page, from the client's cached `/relationshiptypes` (one
 * read per environment per TTL). A failed read fails the page like any Jama call (it is retried),
 * so no row is written without its name. A type missing from the cached list is read again once
 * (a type created since); one Jama does not list at all is written without a name.
 */
export async function typeNames(
  jama: RelationshipApi,
  relationships: readonly JamaRelationship[],
  options: CallOptions,
): Promise<Map<number, string>> {
  if (relationships.length === 0) return new Map();
  const ids = [...new Set(relationships.map((r) => r.relationshipType))];
  return new Map((await jama.listRelationshipTypes(options, ids)).map((t) => [t.id, t.name]));
}

/**
 * The relationship job that runs beside a project's item scan: the same run, mode and start; an
 * incremental run with a watermark reads RELATIONSHIP activities from where it reads DELETE
 * activities, any other run pages every relationship of the project.
 */
export function relationshipScanFor(plan: ProjectPlan): RelationshipScanJob {
  const { env, projectId, mode, runId } = plan.scan;
  return {
    v: 1,
    env,
    kind: 'relationship-scan',
    projectId,
    mode,
    runId,
    ...(plan.deletesSince === undefined ? {} : { since: plan.deletesSince }),
    lastId: 0,
    startAt: 0,
    page: 0,
  };
}

function dateOf(text: string): number | undefined {
  try {
    return parseJamaDate(text);
  } catch {
    return undefined;
  }
}

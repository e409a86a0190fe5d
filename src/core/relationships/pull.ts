import { JamaSyncError, StoppedError } from '../errors';
import type { RelationshipPullJob } from '../jobs';
import type { CallOptions } from '../ports/jama-api';
import type { RelationshipApi } from '../ports/relationship-api';
import type { ItemProjects, RelationshipRecord } from './records';
import { writeRelationshipSinks } from './records';
import { relationshipRecord, typeNames } from './scan';
import type { JamaRelationship } from './types';

export interface RelationshipPullDeps {
  jama: RelationshipApi;
  sinks: readonly object[];
  now(): number;
  /** Names the project of a relationship read by id (the mirror's item rows), when a job does not. */
  projects?: ItemProjects | undefined;
  shouldStop(): boolean;
  signal?: AbortSignal | undefined;
}

/** Per job: the error that failed it, or undefined when every relationship it named is in the sinks. */
export type RelationshipPullResults = Map<RelationshipPullJob, unknown>;

/**
 * Runs a batch's relationship pulls of one environment with one call per distinct relationship:
 * ids named by several jobs (webhook events, activities, a sweep) are read once. `deletedAt` jobs
 * tombstone without a read (Jama's activity stream said so); a 404 on a read tombstones too. Once
 * the limiter or Jama says "later", the ids not yet read get the same answer without more calls.
 */
export async function pullRelationships(
  env: string,
  jobs: readonly RelationshipPullJob[],
  deps: RelationshipPullDeps,
): Promise<RelationshipPullResults> {
  const options: CallOptions = deps.signal ? { signal: deps.signal } : {};
  const errors = new Map<number, unknown>();
  const records = new Map<number, RelationshipRecord>();
  const projectOf = new Map<number, number>();
  for (const job of jobs) {
    for (const id of job.relationshipIds) {
      if (job.projectId !== undefined) projectOf.set(id, job.projectId);
      if (job.deletedAt !== undefined) {
        const projectId = job.projectId === undefined ? {} : { projectId: job.projectId };
        records.set(id, {
          kind: 'relationship-tombstone',
          relationshipId: id,
          ...projectId,
          deletedAt: job.deletedAt,
        });
      }
    }
  }
  const toRead = [
    ...new Set(jobs.filter((j) => j.deletedAt === undefined).flatMap((j) => j.relationshipIds)),
  ];
  const read: JamaRelationship[] = [];
  let throttle: unknown;
  for (const id of toRead) {
    if (deps.shouldStop()) {
      errors.set(id, new StoppedError('not read before the worker had to stop'));
      continue;
    }
    if (throttle) {
      errors.set(id, throttle);
      continue;
    }
    try {
      read.push(await deps.jama.getRelationship(id, options));
    } catch (error) {
      if (error instanceof JamaSyncError && error.code === 'JAMA_NOT_FOUND') {
        const projectId = projectOf.get(id);
        records.set(id, {
          kind: 'relationship-tombstone',
          relationshipId: id,
          ...(projectId === undefined ? {} : { projectId }),
          deletedAt: deps.now(),
        });
      } else {
        if (isThrottle(error)) throttle = error;
        errors.set(id, error);
      }
    }
  }
  const names = await typeNames(deps.jama, read, options);
  const unknownProjects = read.filter((r) => !projectOf.has(r.id)).map((r) => r.fromItem);
  const projects =
    unknownProjects.length && deps.projects
      ? await deps.projects.projectIds(env, unknownProjects).catch(() => new Map<number, number>())
      : new Map<number, number>();
  const now = deps.now();
  for (const r of read) {
    const projectId = projectOf.get(r.id) ?? projects.get(r.fromItem);
    records.set(
      r.id,
      relationshipRecord(r, { projectId, observedAt: now, name: names.get(r.relationshipType) }),
    );
  }
  const failures = await writeRelationshipSinks(deps.sinks, env, [...records.values()]);
  const results: RelationshipPullResults = new Map();
  for (const job of jobs) {
    const failed = job.relationshipIds
      .map((id) => errors.get(id) ?? failures.get(id))
      .find((e) => e !== undefined);
    results.set(job, failed);
  }
  return results;
}

function isThrottle(error: unknown): boolean {
  return (
    error instanceof JamaSyncError && (error.code === 'LIMITER_WAIT' || error.code === 'JAMA_RATE_LIMITED')
  );
}

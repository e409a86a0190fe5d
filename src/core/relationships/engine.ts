import type { Clock } from '../clock';
import type { RelationshipPullJob, RelationshipScanJob } from '../jobs';
import type { JobQueue } from '../ports/job-queue';
import type { RelationshipApi } from '../ports/relationship-api';
import { classify } from '../worker/classify';
import { deferred, done, type Outcome } from '../worker/outcome';
import { pullRelationships } from './pull';
import { type ItemProjects, type RelationshipSweepSource, relationshipMarkerScope } from './records';
import { runRelationshipScan } from './scan';
import type { JamaActivitySource } from './types';

/** What the worker needs for relationship jobs, beside its sinks and queue. */
export interface RelationshipEngineDeps {
  /** The environment's Jama client; undefined when it cannot read relationships. */
  relationships?(env: string): (RelationshipApi & JamaActivitySource) | undefined;
  /** The mirror's relationship rows, for full runs' sweeps. */
  relationshipSweep?: RelationshipSweepSource | undefined;
  /** Names an item's project (the mirror), for relationships read by id. */
  itemProjects?: ItemProjects | undefined;
  sinks: readonly object[];
  queue: JobQueue;
  clock: Clock;
  /** Clears pending-pull markers just before a read (the webhook's, scope `<env>#relationships`). */
  beforePull?(scope: string, ids: number[]): Promise<void>;
}

type Entry = { id: string; job: RelationshipScanJob | RelationshipPullJob };

/**
 * Runs a batch's relationship jobs: pulls first, coalesced per environment (one read per distinct
 * relationship), then scan jobs one after another. Returns an outcome per record id; records not
 * started when `signal` aborts are `deferred`.
 */
export async function runRelationshipJobs(
  entries: readonly Entry[],
  deps: RelationshipEngineDeps,
  signal?: AbortSignal,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const stopped = () => signal?.aborted === true;
  const now = () => deps.clock.now();
  const pulls = new Map<string, { id: string; job: RelationshipPullJob }[]>();
  for (const entry of entries) {
    const jama = deps.relationships?.(entry.job.env);
    if (!jama) {
      outcomes.set(entry.id, {
        type: 'rejected',
        reason: `environment \`${entry.job.env}\` cannot read relationships`,
      });
    } else if (entry.job.kind === 'relationship-pull') {
      const group = pulls.get(entry.job.env) ?? [];
      group.push({ id: entry.id, job: entry.job });
      pulls.set(entry.job.env, group);
    }
  }
  for (const [env, group] of pulls) {
    const jama = deps.relationships?.(env) as RelationshipApi;
    if (stopped()) continue;
    try {
      const toRead = group.filter((g) => g.job.deletedAt === undefined).flatMap((g) => g.job.relationshipIds);
      if (toRead.length) await deps.beforePull?.(relationshipMarkerScope(env), [...new Set(toRead)]);
      const results = await pullRelationships(
        env,
        group.map((g) => g.job),
        { jama, sinks: deps.sinks, now, projects: deps.itemProjects, shouldStop: stopped, signal },
      );
      for (const { id, job } of group) {
        const error = results.get(job);
        outcomes.set(id, error === undefined ? done : classify(error, signal));
      }
    } catch (error) {
      for (const { id } of group) outcomes.set(id, classify(error, signal));
    }
  }
  for (const { id, job } of entries) {
    if (job.kind !== 'relationship-scan' || outcomes.has(id)) continue;
    if (stopped()) {
      outcomes.set(id, deferred);
      continue;
    }
    const jama = deps.relationships?.(job.env) as RelationshipApi & JamaActivitySource;
    const outcome = await runRelationshipScan(job, {
      jama,
      sinks: deps.sinks,
      queue: deps.queue,
      now,
      sweep: deps.relationshipSweep,
      signal,
    }).catch((error: unknown) => classify(error, signal));
    outcomes.set(id, outcome);
  }
  for (const { id } of entries) if (!outcomes.has(id)) outcomes.set(id, deferred);
  return outcomes;
}

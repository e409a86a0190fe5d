import { createHash } from 'node:crypto';
import { chunk } from '../chunk';
import type { DeleteJob, JobInput, PullJob, PushJob, RelationshipPullJob } from '../jobs';
import type { NativeEvent } from './contract';
import { WebhookError } from './errors';

/** SendMessageBatch's limits: 10 entries and 256 KiB in all; a margin is kept for the request. */
export const SQS_BATCH_COUNT = 10;
export const SQS_BATCH_BYTES = 250 * 1024;
/** One job must fit in one SQS message (256 KiB) with room to spare. */
export const MAX_JOB_BYTES = 240 * 1024;

type PullInput = Omit<PullJob, 'meta'>;

/** The jobs of one request. */
export interface JobPlan {
  /** One pull per item (duplicates in the request folded in); each is queued only if not already pending. */
  pulls: PullInput[];
  /** Push and delete jobs in event order, never coalesced. */
  others: JobInput[];
  /** Re-reads of relationships (each once); queued only for relationships not already pending. */
  relationshipPulls: Omit<RelationshipPullJob, 'meta'>[];
  /** Events folded into another pull of the same request. */
  coalesced: number;
}

/** When and as which request the events were accepted. */
export interface Acceptance {
  /** When the webhook accepted the request (epoch ms). */
  now: number;
  /** Identifies the request; the same signed request always gets the same id ({@link requestId}). */
  requestId: string;
}

/** A short id of a signed request: the same signature (a sender's retry of it) gives the same id. */
export function requestId(source: string, signature: string): string {
  return createHash('sha256').update(`${source}\n${signature}`).digest('base64url').slice(0, 16);
}

/**
 * Turns validated events into jobs: created/updated → `pull` (one per item), deleted → `delete`,
 * push → `push` with a `replace` per field (named by key or label), ordered by `occurredAt` (else
 * the acceptance time) and guarded by it unless `force`, with a job id `<requestId>.<index>` that
 * stays the same however often the job is delivered. A job too large for one SQS message is the
 * sender's mistake (400), never a 5xx later. relationship.* → `relationship-pull` (each
 * relationship once, 50 per job).
 */
export function planJobs(
  env: string,
  events: readonly NativeEvent[],
  acceptance: Acceptance = { now: Date.now(), requestId: 'unsigned' },
): JobPlan {
  const pulls = new Map<number, PullInput>();
  const others: JobInput[] = [];
  const relationships = new Map<number, { projectId?: number; occurredAt?: number }>();
  let coalesced = 0;
  events.forEach((event, index) => {
    if (!('itemId' in event)) {
      // Created, updated or deleted alike: the worker re-reads it, and Jama's answer (or 404) decides.
      const seen = relationships.get(event.relationshipId);
      if (seen) coalesced++;
      const entry = seen ?? {};
      if (event.projectId !== undefined) entry.projectId = event.projectId;
      if (event.occurredAt !== undefined)
        entry.occurredAt = Math.min(entry.occurredAt ?? event.occurredAt, event.occurredAt);
      relationships.set(event.relationshipId, entry);
      return;
    }
    const { itemId, documentKey, projectId, occurredAt } = event;
    if (event.type === 'item.push') {
      const job: Omit<PushJob, 'meta'> = {
        v: 1,
        env,
        kind: 'push',
        itemId,
        ops: Object.entries(event.fields).map(([name, value]) => ({
          op: 'replace' as const,
          path: `/fields/${name}`,
          value,
        })),
        acceptedAt: acceptance.now,
        jobId: `${acceptance.requestId}.${index}`,
        ...(occurredAt === undefined ? {} : { occurredAt }),
        ...(event.force ? { force: true } : { ifUnmodifiedSince: occurredAt ?? acceptance.now }),
      };
      others.push(checkSize(job, index));
    } else if (event.type === 'item.deleted') {
      const job: Omit<DeleteJob, 'meta'> = {
        v: 1,
        env,
        kind: 'delete',
        itemId,
        ...(documentKey === undefined ? {} : { documentKey }),
        ...(occurredAt === undefined ? {} : { deletedAt: occurredAt }),
      };
      others.push(job);
    } else {
      const pull = pulls.get(itemId) ?? { v: 1, env, kind: 'pull', itemId, acceptedAt: acceptance.now };
      if (pulls.has(itemId)) coalesced++;
      pulls.set(itemId, pull);
      if (documentKey !== undefined) pull.documentKey = documentKey;
      if (projectId !== undefined) pull.projectId = projectId;
      // The earliest change, so the pull's latency metric counts from when the item first changed.
      if (occurredAt !== undefined) pull.occurredAt = Math.min(pull.occurredAt ?? occurredAt, occurredAt);
    }
  });
  return {
    pulls: [...pulls.values()],
    others,
    relationshipPulls: relationshipPulls(env, relationships),
    coalesced,
  };
}

/** One relationship-pull job per project and 50 relationships, in event order. */
function relationshipPulls(
  env: string,
  relationships: Map<number, { projectId?: number; occurredAt?: number }>,
): Omit<RelationshipPullJob, 'meta'>[] {
  const byProject = new Map<number | undefined, number[]>();
  for (const [id, { projectId }] of relationships)
    byProject.set(projectId, [...(byProject.get(projectId) ?? []), id]);
  return [...byProject].flatMap(([projectId, ids]) =>
    chunk(ids, 50).map((relationshipIds) => {
      const dates = relationshipIds.flatMap((id) => relationships.get(id)?.occurredAt ?? []);
      return {
        v: 1 as const,
        env,
        kind: 'relationship-pull' as const,
        relationshipIds,
        ...(projectId === undefined ? {} : { projectId }),
        ...(dates.length ? { occurredAt: Math.min(...dates) } : {}),
      };
    }),
  );
}

function byteLength(job: JobInput): number {
  return Buffer.byteLength(JSON.stringify(job));
}

function checkSize<J extends JobInput>(job: J, index: number): J {
  const size = byteLength(job);
  if (size > MAX_JOB_BYTES) {
    throw new WebhookError(
      'WEBHOOK_SCHEMA',
      `events.${index}.fields: the push job would be ${size} bytes; at most ${MAX_JOB_BYTES} fit in a queue message`,
    );
  }
  return job;
}

/** Groups jobs so that every group fits one SendMessageBatch (≤ 10 entries, ≤ 250 KiB). */
export function packBatches<J extends JobInput>(jobs: readonly J[]): J[][] {
  const groups: J[][] = [];
  let current: J[] = [];
  let bytes = 0;
  for (const job of jobs) {
    const size = byteLength(job);
    if (current.length === SQS_BATCH_COUNT || (current.length > 0 && bytes + size > SQS_BATCH_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(job);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

import { z } from 'zod';

/**
 * Queue messages are versioned JSON jobs. Every job names the Jama environment it belongs to; `meta`
 * carries retry bookkeeping across re-sends (SQS receive counts cannot tell throttles from failures).
 */
const env = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` or `-`');
const itemId = z.number().int().positive();
const epochMs = z.number().int().nonnegative();

export const jobMetaSchema = z.object({
  /** Times this job was handed back because of Jama's limit (never counts toward the DLQ). */
  throttles: z.number().int().nonnegative().default(0),
  /** Real failed attempts so far (5xx, network, timeouts, sink errors). */
  failures: z.number().int().nonnegative().default(0),
  /** The last real failure, kept so a dead letter says why. */
  lastError: z.string().max(1000).optional(),
  /** When the first real failure happened (epoch ms): the outage budget counts from here. */
  firstFailureAt: z.number().int().nonnegative().optional(),
});

/** Deepest nesting a job may carry; deeper values are malformed, refused before anything recurses into them. */
export const MAX_JOB_DEPTH = 64;

const base = { v: z.literal(1), env, meta: jobMetaSchema.optional() };

export const pullJobSchema = z.object({
  ...base,
  kind: z.literal('pull'),
  itemId,
  projectId: z.number().int().positive().optional(),
  documentKey: z.string().min(1).max(255).optional(),
  /** When the change that caused this pull happened; only for latency metrics. */
  occurredAt: epochMs.optional(),
  /**
   * When the webhook accepted the event (epoch ms); absent for pulls an operator or Jama's activity
   * asked for. An id the mirror never held is then looked for among Jama's activity since shortly
   * before this (one call for the whole batch), not read by id (src/core/worker/pull.ts).
   */
  acceptedAt: epochMs.optional(),
});

/** `path` names a field by key (`/fields/priority$89`) or by the label Jama shows ("/fields/Priority"). */
const patchOp = z.union([
  z.object({ op: z.enum(['add', 'replace']), path: z.string().regex(/^\/fields\/.+/), value: z.unknown() }),
  z.object({ op: z.literal('remove'), path: z.string().regex(/^\/fields\/.+/) }),
]);

export const pushJobSchema = z.object({
  ...base,
  kind: z.literal('push'),
  itemId,
  ops: z.array(patchOp).min(1).max(100),
  /**
   * Conflict guard: when set, the change is skipped if Jama's `modifiedDate` is later than this
   * (someone edited the item in Jama after the change was made downstream). Epoch ms.
   */
  ifUnmodifiedSince: epochMs.optional(),
  /**
   * When the change was made downstream (epoch ms): pushes of one item are applied in this order,
   * an older one arriving after a newer one is skipped as superseded. Defaults to `acceptedAt`.
   */
  occurredAt: epochMs.optional(),
  /** When the webhook accepted the push (epoch ms); the guard when the sender gave no `occurredAt`. */
  acceptedAt: epochMs.optional(),
  /** Last writer wins: no conflict guard against edits made in Jama. */
  force: z.boolean().optional(),
  /**
   * Stable across redelivery, retry and redrive, so a push whose PATCH succeeded is not applied
   * again. Defaults to a digest of the job's content.
   */
  jobId: z.string().min(1).max(100).optional(),
});

/** Which project's reconciliation run a scan belongs to, and of which mode. */
const runFields = {
  projectId: z.number().int().positive(),
  mode: z.enum(['incremental', 'full']),
  /** Reconciliation run this page belongs to. */
  runId: z.string().min(1).max(100),
};

export const scanJobSchema = z.object({
  ...base,
  kind: z.literal('scan'),
  ...runFields,
  /** Keyset cursor: items with lastActivityDate ≥ `from` (epoch ms)… */
  from: epochMs,
  /** …skipping this many items at exactly `from` that earlier pages already wrote. */
  skip: z.number().int().nonnegative().default(0),
  /** Optional end of the window (epoch ms, inclusive). */
  until: epochMs.optional(),
  /** Page number within the run, for progress. */
  page: z.number().int().nonnegative().default(0),
  /** Which slice of the run this is (a large project's run is split into slices that page independently). */
  slice: z.number().int().nonnegative().max(99).default(0),
  /**
   * The run cursor's token this message carries: only a message with the cursor's current token
   * reads on, so a duplicated or stale message stops without a Jama call (src/core/reconcile/cursor.ts).
   */
  token: z.string().min(1).max(100).default('start'),
  /**
   * When the run started (epoch ms). The watermark never advances past it, so items changed while
   * the scan ran are read again by the next run (see docs/reconcile.md).
   */
  startedAt: epochMs.optional(),
});

export const deleteJobSchema = z.object({
  ...base,
  kind: z.literal('delete'),
  itemId,
  documentKey: z.string().min(1).max(255).optional(),
  /** When Jama deleted the item (epoch ms); capped at when the worker writes the tombstone. */
  deletedAt: epochMs.optional(),
  /**
   * Jama itself reported the deletion (a DELETE activity): tombstone without asking. Otherwise (a
   * webhook's word) the worker asks Jama first: a 404 confirms, a live item is re-synced instead.
   */
  confirmed: z.literal(true).optional(),
});

/**
 * A stretch of a project's relationship reconciliation (src/core/relationships/scan.ts): with
 * `since`, the RELATIONSHIP activities since then; otherwise one page of `GET /relationships`.
 */
export const relationshipScanJobSchema = z.object({
  ...base,
  kind: z.literal('relationship-scan'),
  ...runFields,
  /** Read RELATIONSHIP activities from here (epoch ms) instead of paging every relationship. */
  since: epochMs.optional(),
  /** Where the next page starts (see RelationshipCursor). */
  lastId: z.number().int().nonnegative().default(0),
  startAt: z.number().int().nonnegative().default(0),
  paging: z.enum(['lastId', 'startAt']).optional(),
  page: z.number().int().nonnegative().default(0),
});

/** Re-read relationships by id (or, with `deletedAt`, tombstone ones Jama reported deleted). */
export const relationshipPullJobSchema = z.object({
  ...base,
  kind: z.literal('relationship-pull'),
  relationshipIds: z.array(itemId).min(1).max(50),
  projectId: z.number().int().positive().optional(),
  /** When Jama deleted them (epoch ms), from its activity stream: tombstone without a read. */
  deletedAt: epochMs.optional(),
  /** When the change that caused this pull happened; only for latency metrics. */
  occurredAt: epochMs.optional(),
});

export const jobSchema = z.discriminatedUnion('kind', [
  pullJobSchema,
  pushJobSchema,
  scanJobSchema,
  deleteJobSchema,
  relationshipScanJobSchema,
  relationshipPullJobSchema,
]);

export type Job = z.infer<typeof jobSchema>;
export type JobInput = z.input<typeof jobSchema>;
export type PullJob = z.infer<typeof pullJobSchema>;
export type PushJob = z.infer<typeof pushJobSchema>;
export type ScanJob = z.infer<typeof scanJobSchema>;
export type DeleteJob = z.infer<typeof deleteJobSchema>;
export type RelationshipScanJob = z.infer<typeof relationshipScanJobSchema>;
export type RelationshipPullJob = z.infer<typeof relationshipPullJobSchema>;
export type JobMeta = z.infer<typeof jobMetaSchema>;

export type ParsedJob = { ok: true; job: Job } | { ok: false; reason: string };

/** Parses one queue message body; a bad one yields the reason, ready for a dead letter. */
export function parseJob(body: string): ParsedJob {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
  if (depthOf(json, MAX_JOB_DEPTH) > MAX_JOB_DEPTH) {
    return { ok: false, reason: `invalid job: nested deeper than ${MAX_JOB_DEPTH} levels` };
  }
  const result = jobSchema.safeParse(json);
  if (result.success) return { ok: true, job: result.data };
  const reason = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: `invalid job: ${reason}` };
}

/** Nesting depth of a JSON value, counted without recursion and without looking past `limit` + 1. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    if (node !== null && typeof node === 'object')
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Serialises a job for the queue. */
export function serializeJob(job: JobInput): string {
  return JSON.stringify(job);
}

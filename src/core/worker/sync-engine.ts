import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { JamaApi } from '../jama-api';
import type { JamaItem } from '../jama-types';
import type { JobQueue } from '../job-queue';
import type { RunCursorStore } from '../reconcile/cursor';
import { InMemoryRunCursorStore } from '../reconcile/memory-cursors';
import type { ReferenceResolver } from '../reference/resolver';
import { type RelationshipEngineDeps, runRelationshipJobs } from '../relationships/engine';
import type { ItemIndex, Sink, SinkRecord } from '../sink';
import { classify } from './classify';
import {
  type DeleteJob,
  type Job,
  type JobMeta,
  type PullJob,
  type PushJob,
  parseJob,
  type RelationshipPullJob,
  type RelationshipScanJob,
  type ScanJob,
} from './jobs';
import { deferred, done, type Outcome } from './outcome';
import { pullItems } from './pull';
import { runPush } from './push';
import type { PushLedger } from './push-ledger';
import { prefetchPushTargets } from './push-prefetch';
import { runScan } from './scan';
import { DEFAULT_SCAN_SETTINGS, type ScanSettings } from './scan-settings';
import { writeSinks } from './write-sinks';

/** One received queue message, independent of SQS. */
export interface BatchRecord {
  id: string;
  body: string;
}

export interface RecordResult {
  id: string;
  outcome: Outcome;
  /** Parsed job (absent when the body was malformed). */
  job?: Job;
  meta: JobMeta;
}

export interface EngineDeps extends Omit<RelationshipEngineDeps, 'sinks' | 'queue' | 'clock'> {
  /** The Jama client of an environment; undefined when the environment is not configured. */
  jama(env: string): JamaApi | undefined;
  sinks: readonly Sink[];
  /** Answers id → documentKey (the mirror), so pulls without a key can still be batched. */
  index?: ItemIndex;
  queue: JobQueue;
  clock: Clock;
  /**
   * Called just before the batch reads `itemIds` from Jama. The webhook's pending-pull markers are
   * cleared here — before the read, not after — so a change that arrives while the read is in flight
   * enqueues a fresh pull instead of being coalesced into one that already missed it.
   */
  beforePull?(env: string, itemIds: number[]): Promise<void>;
  /** Called once the last page of a scan run is in the sinks (reconciliation advances its watermark). */
  onScanComplete?(job: ScanJob, newestActivity: number | undefined): Promise<void>;
  /** Write-back: names resolved through the reference data, pushes ordered by the ledger. Without it, pushes are rejected. */
  push?: { reference: ReferenceResolver; ledger: PushLedger };
  /** Where scan runs keep their cursors (the state table). @default one in this process */
  cursors?: RunCursorStore;
  /** How scans read (lease, budgets, slicing). @default DEFAULT_SCAN_SETTINGS */
  scanSettings?: Partial<ScanSettings>;
  /** Whether a scan's run still holds its lease (a run taken over stops). */
  isLiveRun?(job: ScanJob): Promise<boolean>;
}

/** Cursors of engines wired without a store (unit tests): one per deps object. */
const localCursors = new WeakMap<EngineDeps, RunCursorStore>();

const NO_META: JobMeta = { throttles: 0, failures: 0 };

/**
 * Runs one batch of jobs with the fewest Jama calls: duplicate pulls of an item are coalesced,
 * pulls are fetched 50 per call by documentKey, pushes are applied before the batch's pulls so
 * the sinks see their result, and the batch's scan jobs read their slices side by side, each many
 * pages (see {@link runScan}). Returns one outcome per record;
 * records not started when `signal` aborts are `deferred`.
 */
export async function runBatch(
  records: readonly BatchRecord[],
  deps: EngineDeps,
  signal?: AbortSignal,
): Promise<RecordResult[]> {
  const results = new Map<string, RecordResult>();
  const set = (id: string, outcome: Outcome, job?: Job) =>
    results.set(id, { id, outcome, meta: job?.meta ?? NO_META, ...(job ? { job } : {}) });
  const stopped = () => signal?.aborted === true;

  // env → itemId → { documentKey, record ids }
  const pulls = new Map<string, Map<number, { documentKey?: string; ids: string[] }>>();
  const pushes: { id: string; job: PushJob }[] = [];
  const scans: { id: string; job: ScanJob }[] = [];
  const deletes: { id: string; job: DeleteJob }[] = [];
  const relationshipJobs: { id: string; job: RelationshipScanJob | RelationshipPullJob }[] = [];

  for (const record of records) {
    const parsed = parseJob(record.body);
    if (!parsed.ok) {
      set(record.id, { type: 'rejected', reason: parsed.reason });
      continue;
    }
    const job = parsed.job;
    if (!deps.jama(job.env)) {
      set(record.id, { type: 'rejected', reason: `unknown Jama environment \`${job.env}\`` }, job);
      continue;
    }
    results.set(record.id, { id: record.id, outcome: deferred, job, meta: job.meta ?? NO_META });
    if (job.kind === 'pull') addPull(pulls, job, record.id);
    else if (job.kind === 'push') pushes.push({ id: record.id, job });
    else if (job.kind === 'scan') scans.push({ id: record.id, job });
    else if (job.kind === 'delete') deletes.push({ id: record.id, job });
    else relationshipJobs.push({ id: record.id, job });
  }

  const now = () => deps.clock.now();
  const writeOrFail = async (env: string, byItem: Map<number, string[]>, recordsToWrite: SinkRecord[]) => {
    const failures = await writeSinks(deps.sinks, env, recordsToWrite);
    for (const [itemId, ids] of byItem) {
      const error = failures.get(itemId);
      for (const id of ids) set(id, error ? { type: 'failed', error } : done, results.get(id)?.job);
    }
  };

  // Deletes need no Jama call: tombstone at once.
  for (const { id, job } of deletes) {
    const tombstone: SinkRecord = {
      kind: 'tombstone',
      itemId: job.itemId,
      deletedAt: job.deletedAt ?? now(),
      ...(job.documentKey ? { documentKey: job.documentKey } : {}),
    };
    await writeOrFail(job.env, new Map([[job.itemId, [id]]]), [tombstone]);
  }

  // Pushes first; a pushed item is then re-read with the batch's pulls.
  const prefetched = new Map<string, Map<number, JamaItem>>();
  for (const { id, job } of pushes) {
    if (stopped()) continue;
    if (!deps.push) {
      set(id, { type: 'rejected', reason: 'write-back is not configured for this worker' }, job);
      continue;
    }
    const jama = deps.jama(job.env) as JamaApi;
    let known = prefetched.get(job.env);
    if (!known) {
      const jobs = pushes.filter((p) => p.job.env === job.env).map((p) => p.job);
      known = await prefetchPushTargets(jama, deps.index, job.env, jobs, signal);
      prefetched.set(job.env, known);
    }
    const current = known.get(job.itemId);
    known.delete(job.itemId); // a second push of the item must read what the first one wrote
    const { outcome, documentKey } = await runPush(job, {
      jama,
      ...deps.push,
      clock: deps.clock,
      ...(current ? { current } : {}),
      ...(signal ? { signal } : {}),
    }).catch((error: unknown) => ({ outcome: classify(error, signal), documentKey: undefined }));
    // A pushed (or conflicting) item is re-read with the batch's pulls; that read decides the outcome.
    if (outcome.type === 'done') addPull(pulls, { ...job, documentKey }, id);
    else set(id, outcome, job);
  }

  for (const [env, targets] of pulls) {
    const jama = deps.jama(env) as JamaApi;
    if (stopped()) continue;
    try {
      await deps.beforePull?.(env, [...targets.keys()]);
    } catch (error) {
      for (const { ids } of targets.values())
        for (const id of ids) set(id, classify(error, signal), results.get(id)?.job);
      continue;
    }
    const known = await documentKeysFor(deps.index, env, targets);
    const { results: pulled } = await pullItems(
      jama,
      [...targets].map(([itemId, t]) => {
        const documentKey = t.documentKey ?? known.get(itemId);
        return documentKey ? { itemId, documentKey } : { itemId };
      }),
      { now, shouldStop: stopped, ...(signal ? { signal } : {}) },
    );
    const fetched: SinkRecord[] = [];
    const fetchedIds = new Map<number, string[]>();
    for (const r of pulled) {
      const ids = targets.get(r.itemId)?.ids ?? [];
      if (r.record) {
        fetched.push(r.record);
        fetchedIds.set(r.itemId, ids);
      } else {
        for (const id of ids) set(id, classify(r.error, signal), results.get(id)?.job);
      }
    }
    if (fetched.length) await writeOrFail(env, fetchedIds, fetched);
  }

  const cursors = deps.cursors ?? localCursors.get(deps) ?? new InMemoryRunCursorStore();
  if (!deps.cursors) localCursors.set(deps, cursors);
  const settings = { ...DEFAULT_SCAN_SETTINGS, ...deps.scanSettings };
  await Promise.all(
    scans.map(async ({ id, job }) => {
      if (stopped()) return;
      const jama = deps.jama(job.env) as JamaApi;
      const outcome = await runScan(jama, job, {
        sinks: deps.sinks,
        queue: deps.queue,
        cursors,
        clock: deps.clock,
        settings,
        newId: () => randomUUID(),
        ...(signal ? { signal } : {}),
        ...(deps.isLiveRun ? { isLive: deps.isLiveRun } : {}),
        ...(deps.onScanComplete ? { onComplete: deps.onScanComplete } : {}),
      }).catch((error: unknown) => classify(error, signal));
      set(id, outcome, job);
    }),
  );

  if (relationshipJobs.length > 0) {
    for (const [id, outcome] of await runRelationshipJobs(relationshipJobs, deps, signal))
      set(id, outcome, results.get(id)?.job);
  }

  return records.map((r) => results.get(r.id) as RecordResult);
}

function addPull(
  pulls: Map<string, Map<number, { documentKey?: string; ids: string[] }>>,
  job: Pick<PullJob, 'env' | 'itemId'> & { documentKey?: string | undefined },
  id: string,
) {
  const byItem = pulls.get(job.env) ?? new Map<number, { documentKey?: string; ids: string[] }>();
  pulls.set(job.env, byItem);
  const entry = byItem.get(job.itemId) ?? { ids: [] };
  entry.ids.push(id);
  if (job.documentKey) entry.documentKey = job.documentKey;
  byItem.set(job.itemId, entry);
}

async function documentKeysFor(
  index: ItemIndex | undefined,
  env: string,
  targets: Map<number, { documentKey?: string }>,
): Promise<Map<number, string>> {
  const missing = [...targets].filter(([, t]) => !t.documentKey).map(([itemId]) => itemId);
  if (!index || missing.length === 0) return new Map();
  // The index only saves calls; if it is unavailable, fall back to reading by id.
  return index.documentKeys(env, missing).catch(() => new Map());
}

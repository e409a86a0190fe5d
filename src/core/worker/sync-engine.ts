import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { JamaItem } from '../jama-types';
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
} from '../jobs';
import type { JamaApi } from '../ports/jama-api';
import type { JobQueue } from '../ports/job-queue';
import type { Quarantine } from '../ports/quarantine';
import { LimiterWaitError } from '../ports/rate-limiter';
import type { IndexEntry, ItemIndex, Sink, SinkRecord } from '../ports/sink';
import type { RunCursorStore } from '../reconcile/cursor';
import { InMemoryRunCursorStore } from '../reconcile/memory-cursors';
import type { ReferenceResolver } from '../reference/resolver';
import { type RelationshipEngineDeps, runRelationshipJobs } from '../relationships/engine';
import { classify } from './classify';
import { deferred, done, type Outcome } from './outcome';
import { type PullResult, type PullTarget, pullItems } from './pull';
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
  /** Where malformed or unstorable items go, each its own dead letter, so the rest goes on. */
  quarantine?: Quarantine;
  /** Called once the last page of a scan run is in the sinks (reconciliation advances its watermark). */
  onScanComplete?(job: ScanJob, newestActivity: number | undefined): Promise<void>;
  /** Write-back: names resolved through the reference data, pushes ordered by the ledger. Without it, pushes are rejected. */
  push?: { reference: ReferenceResolver; ledger: PushLedger };
  /** Where scan runs keep their cursors (the state table). @default one in this process */
  cursors?: RunCursorStore;
  /** How scans read (lease, budgets, slicing). @default DEFAULT_SCAN_SETTINGS */
  scanSettings?: Partial<ScanSettings>;
  /**
   * The rate an environment's slices together should fill (its `targetRate`): reconciliation
   * sizes each environment's readers by that environment's own rate. @default scanSettings.targetRate
   */
  scanRate?(env: string): number | undefined;
  /** How long one environment's pulls may run in one invocation. @default {@link DEFAULT_TURN_MS} */
  turnMs?: number;
  /** Whether a scan's run still holds its lease (a run taken over stops). */
  isLiveRun?(job: ScanJob): Promise<boolean>;
}

/**
 * How long one environment's pulls may keep an invocation busy. Reads not started by then are
 * `deferred` and go back to the queue (visible again at once, as the worker is wired): an environment whose calls wait on its limiter — busy
 * at its full rate, paused after a 429, or slow — hands its remaining work back instead of holding
 * a worker slot that another environment's records, waiting in the queue, could use.
 */
export const DEFAULT_TURN_MS = 6000;

/** Cursors of engines wired without a store (unit tests): one per deps object. */
const localCursors = new WeakMap<EngineDeps, RunCursorStore>();

const NO_META: JobMeta = { throttles: 0, failures: 0 };

/**
 * Runs one batch of jobs. The batch's environments run side by side, each on its own
 * ({@link runEnvironmentJobs}): an environment that is down, paused after a 429 or slow delays only
 * its own records, which end as `throttled` within the limiter's wait budget (or at once while its
 * circuit breaker is open) and go back to the queue with a delay — they wait in SQS, not in this
 * invocation, and never in front of another environment's work (docs/deploy.md, "Many
 * environments"). Returns one outcome per record, in the records' order; records not started when
 * `signal` aborts are `deferred`.
 */
export async function runBatch(
  records: readonly BatchRecord[],
  deps: EngineDeps,
  signal?: AbortSignal,
): Promise<RecordResult[]> {
  const results = new Map<string, RecordResult>();
  const byEnv = new Map<string, { id: string; job: Job }[]>();
  for (const record of records) {
    const parsed = parseJob(record.body);
    if (!parsed.ok) {
      results.set(record.id, {
        id: record.id,
        outcome: { type: 'rejected', reason: parsed.reason },
        meta: NO_META,
      });
      continue;
    }
    const job = parsed.job;
    if (!deps.jama(job.env)) {
      const reason = `unknown Jama environment \`${job.env}\``;
      results.set(record.id, {
        id: record.id,
        outcome: { type: 'rejected', reason },
        job,
        meta: job.meta ?? NO_META,
      });
      continue;
    }
    const group = byEnv.get(job.env) ?? [];
    byEnv.set(job.env, group);
    group.push({ id: record.id, job });
  }
  // One turn length for the invocation, spread by ± 50 % so that invocations started together do
  // not all hand back at once (drawn per environment, the invocation would last the longest of them).
  const turnMs = (deps.turnMs ?? DEFAULT_TURN_MS) * (0.5 + Math.random());
  const cursors = deps.cursors ?? localCursors.get(deps) ?? new InMemoryRunCursorStore();
  if (!deps.cursors) localCursors.set(deps, cursors);
  await Promise.all(
    [...byEnv.values()].map(async (jobs) => {
      for (const result of await runEnvironmentJobs(jobs, { ...deps, cursors }, turnMs, signal))
        results.set(result.id, result);
    }),
  );
  return records.map((r) => results.get(r.id) as RecordResult);
}

/**
 * Runs one environment's jobs of a batch with the fewest Jama calls: duplicate pulls of an item are coalesced,
 * pulls are fetched 50 per call by documentKey, pushes are applied before the batch's pulls so
 * the sinks see their result, and the batch's scan jobs read their slices side by side, each many
 * pages (see {@link runScan}). Returns one outcome per job;
 * jobs not started when `signal` aborts are `deferred`.
 */
async function runEnvironmentJobs(
  jobs: readonly { id: string; job: Job }[],
  deps: EngineDeps & { cursors: RunCursorStore },
  turnMs: number,
  signal?: AbortSignal,
): Promise<RecordResult[]> {
  const run = envBatch(deps, turnMs, signal);
  const { pulls, pushes, scans, deletes, relationshipJobs } = sortJobs(jobs, run.results);
  await writeConfirmedDeletes(run, deletes);
  await runPushes(run, pushes, pulls);
  await runPulls(run, pulls);
  await runScans(run, scans, jobs[0]?.job.env ?? '');
  if (relationshipJobs.length > 0) {
    for (const [id, outcome] of await runRelationshipJobs(relationshipJobs, deps, signal))
      run.set(id, outcome, run.results.get(id)?.job);
  }
  return jobs.map(({ id }) => run.results.get(id) as RecordResult);
}

/** One environment's share of a batch: its records' results so far, and how to settle them. */
interface EnvBatch {
  deps: EngineDeps & { cursors: RunCursorStore };
  signal: AbortSignal | undefined;
  /** How long the environment's pulls may run, from their start: reads not started by then go back. */
  turnMs: number;
  results: Map<string, RecordResult>;
  set(id: string, outcome: Outcome, job?: Job): void;
  stopped(): boolean;
  now(): number;
  /** Writes records to the sinks and settles the records that asked for each item. */
  writeOrFail(env: string, byItem: Map<number, string[]>, recordsToWrite: SinkRecord[]): Promise<void>;
}

function envBatch(
  deps: EngineDeps & { cursors: RunCursorStore },
  turnMs: number,
  signal: AbortSignal | undefined,
): EnvBatch {
  const results = new Map<string, RecordResult>();
  const set = (id: string, outcome: Outcome, job?: Job) =>
    void results.set(id, { id, outcome, meta: job?.meta ?? NO_META, ...(job ? { job } : {}) });
  const writeOrFail = async (env: string, byItem: Map<number, string[]>, recordsToWrite: SinkRecord[]) => {
    const { failures, quarantined } = await writeSinks(deps.sinks, env, recordsToWrite);
    // An item a sink refuses for good (or had to truncate) is quarantined; without a quarantine its job dead-letters.
    const parked = await park(deps.quarantine, env, quarantined, recordsToWrite);
    for (const [itemId, ids] of byItem) {
      const error = failures.get(itemId);
      const reason = quarantined.get(itemId);
      const outcome: Outcome = error
        ? { type: 'failed', error }
        : reason === undefined
          ? done
          : parked
            ? { type: 'done', note: reason }
            : { type: 'rejected', reason };
      for (const id of ids) set(id, outcome, results.get(id)?.job);
    }
  };

  return {
    deps,
    signal,
    turnMs,
    results,
    set,
    stopped: () => signal?.aborted === true,
    now: () => deps.clock.now(),
    writeOrFail,
  };
}

/** The jobs by kind, each record deferred until a phase settles it. */
function sortJobs(jobs: readonly { id: string; job: Job }[], results: Map<string, RecordResult>) {
  // env → itemId → { documentKey, record ids, whether only deletes asked }
  const pulls = new Map<string, Map<number, PullEntry>>();
  const pushes: { id: string; job: PushJob }[] = [];
  const scans: { id: string; job: ScanJob }[] = [];
  const deletes: { id: string; job: DeleteJob }[] = [];
  const relationshipJobs: { id: string; job: RelationshipScanJob | RelationshipPullJob }[] = [];
  for (const { id, job } of jobs) {
    results.set(id, { id, outcome: deferred, job, meta: job.meta ?? NO_META });
    if (job.kind === 'pull') addPull(pulls, job, id);
    else if (job.kind === 'push') pushes.push({ id, job });
    else if (job.kind === 'scan') scans.push({ id, job });
    else if (job.kind === 'delete') {
      if (job.confirmed) deletes.push({ id, job });
      // A webhook's delete is a hint: Jama is asked with the batch's pulls (a 404 confirms it).
      else addPull(pulls, job, id, true);
    } else relationshipJobs.push({ id, job });
  }

  return { pulls, pushes, scans, deletes, relationshipJobs };
}

/** Deletes Jama reported itself (DELETE activities) need no call. */
async function writeConfirmedDeletes(run: EnvBatch, deletes: readonly { id: string; job: DeleteJob }[]) {
  const { now, writeOrFail } = run;
  // Deletes Jama reported itself (DELETE activities) need no call: tombstone at once, never future-dated.
  for (const { id, job } of deletes) {
    const at = now();
    const tombstone: SinkRecord = {
      kind: 'tombstone',
      itemId: job.itemId,
      deletedAt: Math.min(job.deletedAt ?? at, at),
      observedAt: at,
      ...(job.documentKey ? { documentKey: job.documentKey } : {}),
    };
    await writeOrFail(job.env, new Map([[job.itemId, [id]]]), [tombstone]);
  }
}

/** Pushes, each then re-read with the batch's pulls (added to `pulls`). */
async function runPushes(
  run: EnvBatch,
  pushes: readonly { id: string; job: PushJob }[],
  pulls: Map<string, Map<number, PullEntry>>,
) {
  const { deps, signal, set, stopped } = run;
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
    if (outcome.type === 'done') addPull(pulls, { env: job.env, itemId: job.itemId, documentKey }, id);
    else set(id, outcome, job);
  }
}

/** The batch's pulls, one environment's turn: release the markers, read Jama, write the sinks. */
async function runPulls(run: EnvBatch, pulls: Map<string, Map<number, PullEntry>>) {
  const { deps, signal, set, stopped, now, results, turnMs } = run;
  const turnEnds = now() + turnMs;
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
    const index = await lookup(deps.index, env, [...targets.keys()]);
    const toRead: PullTarget[] = [];
    for (const [itemId, t] of targets) {
      const entry = index?.get(itemId);
      // A delete for an id the mirror never held, or holds as deleted, and no key to check it by: no call.
      if (t.deleteOnly && index && !t.documentKey && (entry === undefined || entry.deleted)) {
        for (const id of t.ids) set(id, { type: 'done', note: 'nothing to delete' }, results.get(id)?.job);
        continue;
      }
      const documentKey = t.documentKey ?? entry?.documentKey;
      const keyOnly = t.deleteOnly && index !== undefined && entry === undefined;
      toRead.push({
        itemId,
        ...(documentKey ? { documentKey } : {}),
        ...(keyOnly ? { keyOnly } : {}),
        ...(t.heardAt === undefined ? {} : { heardAt: t.heardAt }),
      });
    }
    // A slot too far away (LIMITER_WAIT: other invocations booked this environment's next ones)
    // is asked for again while the turn lasts: the invocation is busy anyway, and handing the reads
    // back delayed leaves nobody holding them when the slot comes (a low-rate environment's
    // timeline ran dry for seconds). A 429, an open breaker or the turn's end still hand back.
    let pending = toRead;
    while (pending.length > 0) {
      const { results: pulled } = await pullItems(jama, pending, {
        now,
        // The turn (its length drawn once per invocation): reads not started within it go back to the queue.
        shouldStop: () => stopped() || now() >= turnEnds,
        ...(signal ? { signal } : {}),
        ...(index ? { known: (itemId: number) => index.has(itemId) } : {}),
      });
      const refused = pulled.filter((r) => r.error instanceof LimiterWaitError);
      const retryMs = Math.max(MIN_SLOT_RETRY_MS, Math.min(...refused.map(slotRetryMs)));
      const again = refused.length > 0 && !stopped() && now() + retryMs < turnEnds;
      await settlePulls(run, env, targets, again ? pulled.filter((r) => !refused.includes(r)) : pulled);
      if (!again) break;
      const retry = new Set(refused.map((r) => r.itemId));
      pending = pending.filter((t) => retry.has(t.itemId));
      try {
        await deps.clock.sleep(retryMs, signal);
      } catch {
        break; // aborted: the records not settled stay deferred
      }
    }
  }
}

/** Shortest pause before a refused read asks its limiter again. */
const MIN_SLOT_RETRY_MS = 100;

/** Half the way to the slot the limiter named: by then it is within the wait it accepts, or nearly. */
function slotRetryMs(r: PullResult): number {
  return (r.error as LimiterWaitError).retryAfterMs / 2;
}

/** Writes what a pull read and settles each item's records. */
async function settlePulls(
  run: EnvBatch,
  env: string,
  targets: Map<number, PullEntry>,
  pulled: readonly PullResult[],
) {
  const { signal, set, results, writeOrFail } = run;
  const fetched: SinkRecord[] = [];
  const fetchedIds = new Map<number, string[]>();
  for (const r of pulled) {
    const ids = targets.get(r.itemId)?.ids ?? [];
    if (r.record) {
      fetched.push(r.record);
      fetchedIds.set(r.itemId, ids);
    } else if (r.absent) {
      for (const id of ids) set(id, { type: 'done', note: r.note ?? 'not in Jama' }, results.get(id)?.job);
    } else {
      for (const id of ids) set(id, classify(r.error, signal), results.get(id)?.job);
    }
  }
  if (fetched.length) await writeOrFail(env, fetchedIds, fetched);
}

/** Reconciliation scans, side by side, at the environment's scan rate. */
async function runScans(run: EnvBatch, scans: readonly { id: string; job: ScanJob }[], env: string) {
  const { deps, signal, set, stopped } = run;
  const { cursors } = deps;
  const targetRate = deps.scanRate?.(env);
  const settings = {
    ...DEFAULT_SCAN_SETTINGS,
    ...(targetRate === undefined ? {} : { targetRate }),
    ...deps.scanSettings,
  };
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
        ...(deps.quarantine ? { quarantine: deps.quarantine } : {}),
        ...(signal ? { signal } : {}),
        ...(deps.isLiveRun ? { isLive: deps.isLiveRun } : {}),
        ...(deps.onScanComplete ? { onComplete: deps.onScanComplete } : {}),
      }).catch((error: unknown) => classify(error, signal));
      set(id, outcome, job);
    }),
  );
}

interface PullEntry {
  documentKey?: string;
  ids: string[];
  /** Only delete jobs asked: an id nobody ever synced needs no call. */
  deleteOnly: boolean;
  /** Only webhook pulls asked, the earliest accepted then: an id nobody ever synced is checked in bulk. */
  heardAt?: number | undefined;
}

function addPull(
  pulls: Map<string, Map<number, PullEntry>>,
  job: Pick<PullJob, 'env' | 'itemId'> & {
    documentKey?: string | undefined;
    acceptedAt?: number | undefined;
  },
  id: string,
  deleteOnly = false,
) {
  const byItem = pulls.get(job.env) ?? new Map<number, PullEntry>();
  pulls.set(job.env, byItem);
  const fresh = !byItem.has(job.itemId);
  const entry = byItem.get(job.itemId) ?? { ids: [], deleteOnly };
  entry.ids.push(id);
  entry.deleteOnly &&= deleteOnly;
  // Any other asker (an operator, a push's re-read, a delete) gets the item read by id.
  const heardAt = job.acceptedAt !== undefined && !deleteOnly ? job.acceptedAt : undefined;
  entry.heardAt =
    heardAt === undefined || (!fresh && entry.heardAt === undefined)
      ? undefined
      : Math.min(entry.heardAt ?? heardAt, heardAt);
  if (job.documentKey) entry.documentKey = job.documentKey;
  byItem.set(job.itemId, entry);
}

/** Quarantines what the sinks set aside; false when there is no quarantine (the jobs dead-letter instead). */
async function park(
  quarantine: Quarantine | undefined,
  env: string,
  reasons: Map<number, string>,
  records: SinkRecord[],
): Promise<boolean> {
  if (!quarantine) return false;
  if (reasons.size === 0) return true;
  const items = [...reasons].map(([itemId, reason]) => {
    const record = records.find((r) => r.itemId === itemId);
    const documentKey = record?.kind === 'item' ? record.documentKey : undefined;
    const projectId = record?.kind === 'item' ? record.item.project : undefined;
    return {
      env,
      itemId,
      reason,
      ...(documentKey ? { documentKey } : {}),
      ...(projectId ? { projectId } : {}),
    };
  });
  return quarantine.put(items).then(
    () => true,
    () => false,
  );
}

/** What the index holds for `itemIds`; undefined without an index or when it is unavailable (it only saves calls). */
async function lookup(
  index: ItemIndex | undefined,
  env: string,
  itemIds: number[],
): Promise<Map<number, IndexEntry> | undefined> {
  if (!index) return undefined;
  return index.lookup(env, itemIds).catch(() => undefined);
}

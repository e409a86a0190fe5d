import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock';
import { JamaSyncError } from '../errors';
import { parseJamaDate } from '../jama-date';
import type { JamaItem, PatchOperation } from '../jama-types';
import type { PushJob } from '../jobs';
import type { JamaApi } from '../ports/jama-api';
import { currentUser } from '../reference/lists';
import type { ReferenceResolver } from '../reference/resolver';
import { type NamedChange, resolveChanges } from '../reference/write-values';
import { deferred, type Outcome } from './outcome';
import { contentId, type LedgerEntry, type PushLedger, supersedes } from './push-ledger';

export interface PushDeps {
  jama: JamaApi;
  reference: ReferenceResolver;
  ledger: PushLedger;
  clock: Clock;
  signal?: AbortSignal;
  /** The item as read for this push already (a batch's prefetch); otherwise it is read by id. */
  current?: JamaItem;
  /** How long a push holds its item; a crashed worker's claim lapses after it. @default 300000 */
  leaseMs?: number;
}

/** The outcome, and the item's documentKey when Jama was read (so the re-read can be batched). */
export interface PushResult {
  outcome: Outcome;
  documentKey?: string;
}

const FIELD = /^\/fields\/(.+)$/;

/**
 * Applies a push job to Jama with `PATCH /items/{id}`, in order and once:
 *
 * 1. claims the item in the ledger (another push of the item in flight: hand back, try shortly);
 * 2. reads the item, resolves field names and values to Jama's keys and ids (an unresolvable one
 *    is rejected at once, with the reason);
 * 3. drops fields a newer push already decided (`superseded`; every field decided by this very job:
 *    `duplicate`);
 * 4. unless `force`, skips the push as a `conflict` when someone other than the integration's own
 *    user modified the item after the push's guard (`ifUnmodifiedSince`, else `acceptedAt`);
 * 5. PATCHes only fields whose value differs — so a retry after a PATCH whose acknowledgement was
 *    lost changes nothing — and commits the decided fields to the ledger.
 */
export async function runPush(job: PushJob, deps: PushDeps): Promise<PushResult> {
  const at = job.occurredAt ?? job.acceptedAt ?? job.ifUnmodifiedSince ?? 0;
  const id = job.jobId ?? contentId([job.env, job.itemId, job.ops, at, job.force ?? false]);
  const { env, itemId } = job;
  const options = deps.signal ? { signal: deps.signal } : {};
  const claimed = await deps.ledger.claim(env, itemId, id, deps.clock.now() + (deps.leaseMs ?? 300_000));
  if (claimed === 'busy') return { outcome: deferred };
  // Released only if nothing was written to Jama: after a PATCH, the item stays claimed until this job
  // has recorded it (its retry may claim again at once), so no other push slips in between.
  let wrote = false;
  try {
    const item = deps.current ?? (await deps.jama.getItem(itemId, options));
    const known = { documentKey: item.documentKey };
    const resolved = await resolveChanges(env, item, job.ops.map(toChange), deps.reference);
    if (!resolved.ok)
      return { ...known, outcome: { type: 'rejected', reason: `PUSH_UNRESOLVED: ${resolved.reason}` } };

    const fresh = resolved.ops.filter((op) => !supersedes(claimed[keyOf(op)], at, id));
    if (fresh.length === 0) {
      const again = resolved.ops.every((op) => claimed[keyOf(op)]?.job === id);
      return { ...known, outcome: { type: 'done', note: again ? 'duplicate' : 'superseded' } };
    }
    const entries = Object.fromEntries(fresh.map((op) => [keyOf(op), { at, job: id } as LedgerEntry]));
    const guard = job.force ? undefined : (job.ifUnmodifiedSince ?? job.acceptedAt);
    if (guard !== undefined && (await modifiedByOther(env, item, guard, deps.reference))) {
      // Jama wins; recorded, so this push stays decided even after the integration edits the item.
      wrote = true;
      await deps.ledger.commit(env, itemId, id, entries);
      return { ...known, outcome: { type: 'done', note: 'conflict' } };
    }
    const changes = fresh.filter((op) => !holds(item, op));
    wrote = true;
    if (changes.length) {
      await deps.jama.patchItem(itemId, changes, options).catch((error: unknown) => {
        // Refused outright (a 400): nothing was written, so the item is free again.
        if (error instanceof JamaSyncError && !error.retryable) wrote = false;
        throw error;
      });
    }
    await deps.ledger.commit(env, itemId, id, entries);
    return { ...known, outcome: { type: 'done', note: changes.length ? 'applied' : 'already applied' } };
  } finally {
    if (!wrote) await deps.ledger.release(env, itemId, id).catch(() => undefined);
  }
}

function toChange(op: PushJob['ops'][number]): NamedChange {
  const field = FIELD.exec(op.path)?.[1] ?? op.path;
  return op.op === 'remove' ? { op: op.op, field } : { op: op.op, field, value: op.value };
}

function keyOf(op: PatchOperation): string {
  return op.path.slice('/fields/'.length);
}

/** The item already holds what `op` would write. */
function holds(item: JamaItem, op: PatchOperation): boolean {
  const current = item.fields[keyOf(op)];
  if (op.op === 'remove') return current === undefined || current === null;
  return isDeepStrictEqual(current, op.value);
}

/** Modified after `guard` by someone other than the integration's own user (`GET /users/current`). */
async function modifiedByOther(
  env: string,
  item: JamaItem,
  guard: number,
  reference: ReferenceResolver,
): Promise<boolean> {
  if (parseJamaDate(item.modifiedDate) <= guard) return false;
  const [self] = await reference.all(env, currentUser);
  return self === undefined || item.modifiedBy !== self.id;
}

/**
 * The run cursor: where each slice of a reconciliation run stands, in one state-table item per
 * slice, so that the queue message of a scan is only a pointer. Any kind of scan (items today,
 * relationships next) keys its cursors by `kind`, pages by keyset on `lastActivityDate` (`from`,
 * `skip`, `until`) and goes through the same claim → advance → hand back / finish cycle:
 *
 * 1. {@link RunCursorStore.claim} with the message's `token`. Only a message carrying the cursor's
 *    current token, while nobody holds the slice, may read on; a duplicate or stale message is
 *    told `stale`/`done` (stop without a Jama call) or `busy` (try again later).
 * 2. After each page is in the sinks, {@link RunCursorStore.advance} moves the position,
 *    conditioned on still being the owner, and renews the lease.
 * 3. To stop early, {@link RunCursorStore.handBack} releases the slice under a new token and the
 *    caller enqueues one message with it; the old token stays valid only for a message redelivered
 *    after the hand-back's message was lost (a crash between the two), once `graceMs` has passed.
 * 4. {@link RunCursorStore.finish} marks the slice done; {@link RunCursorStore.sliceDone} counts it
 *    in the run's record and says whether it was the last one (the caller completes the run).
 *
 * A crashed reader's lease runs out and its message, redelivered by SQS, resumes from the cursor.
 */

/** One slice of one run. `kind` names the kind of scan (`items`, …). */
export interface CursorKey {
  env: string;
  projectId: number;
  kind: string;
  runId: string;
  slice: number;
}

/** A keyset position and what the slice has done so far. */
export interface SlicePosition {
  /** Items with lastActivityDate ≥ `from` (epoch ms)… */
  from: number;
  /** …skipping this many at exactly `from`… */
  skip: number;
  /** …up to `until` inclusive (open-ended when absent). */
  until?: number | undefined;
  /** Pages and items written so far. */
  pages: number;
  items: number;
  /** Newest lastActivityDate seen (epoch ms). */
  newest?: number | undefined;
}

/** A slice's cursor as stored. */
export interface RunCursor extends SlicePosition {
  key: CursorKey;
  /** The token a message must carry to read on. */
  token: string;
  done: boolean;
  /** When the position last moved (epoch ms): a run whose cursors all stand still has stalled. */
  advancedAt: number;
}

export type ClaimResult =
  | { ok: true; cursor: RunCursor }
  /** A duplicate or stale message, or a finished slice: stop without a Jama call. */
  | { ok: false; reason: 'stale' | 'done' }
  /** Another reader holds the slice: try again in `retryAfterMs`. */
  | { ok: false; reason: 'busy'; retryAfterMs: number };

/** A run's shared record: how many slices, how many items Jama reported, which slices are done. */
export interface RunRecord {
  key: Omit<CursorKey, 'slice'>;
  mode: string;
  startedAt: number;
  slices: number;
  /** Jama's `totalResults` at the run's first page. */
  total: number;
  /** Where slices 1… start (slice 0 ends at the first). */
  bounds: number[];
  doneSlices: number[];
  /** Newest lastActivityDate seen by each finished slice. */
  newest?: number | undefined;
}

export interface ClaimRequest {
  key: CursorKey;
  token: string;
  /** Identifies this reader (one per invocation). */
  owner: string;
  now: number;
  /** How long the claim holds without an `advance` renewing it. */
  leaseMs: number;
  /** After a hand-back, how long before the previous token may resume a slice nobody claimed. */
  graceMs: number;
  /** The position to start from if the slice has no cursor yet. */
  initial: SlicePosition;
}

/** Where run cursors live (the state table in AWS; memory in unit tests). */
export interface RunCursorStore {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Moves the position after a page is in the sinks; false if `owner` no longer holds the slice. */
  advance(
    key: CursorKey,
    owner: string,
    position: SlicePosition,
    now: number,
    leaseMs: number,
  ): Promise<boolean>;
  /** Releases the slice under `nextToken` (the caller then enqueues a message carrying it). */
  handBack(key: CursorKey, owner: string, nextToken: string, now: number): Promise<boolean>;
  /** Releases the slice under the same token (after a failure, so the retried message may claim it). */
  release(key: CursorKey, owner: string): Promise<void>;
  /** Marks the slice finished at `position`; false if `owner` no longer holds it. */
  finish(key: CursorKey, owner: string, position: SlicePosition, now: number): Promise<boolean>;
  /** Creates slice cursors that do not exist yet (a split); existing ones are left alone. */
  create(
    cursors: readonly { key: CursorKey; token: string; position: SlicePosition }[],
    now: number,
  ): Promise<void>;
  /** Writes the run's record unless one exists; resolves the stored one. */
  createRun(record: RunRecord, now: number): Promise<RunRecord>;
  run(key: Omit<CursorKey, 'slice'>): Promise<RunRecord | undefined>;
  /** Counts `slice` done (idempotently) and returns the record after it. */
  sliceDone(key: CursorKey, newest: number | undefined): Promise<RunRecord | undefined>;
  read(key: CursorKey): Promise<RunCursor | undefined>;
}

/** Every slice key of a run. */
export function sliceKeys(run: Omit<CursorKey, 'slice'>, slices: number): CursorKey[] {
  return Array.from({ length: Math.max(1, slices) }, (_, slice) => ({ ...run, slice }));
}

/** The cursor a claim creates where none exists yet: at the request's initial position, not done. */
export function newCursor(r: Pick<ClaimRequest, 'initial' | 'key' | 'token' | 'now'>): RunCursor {
  return { ...r.initial, key: r.key, token: r.token, done: false, advancedAt: r.now };
}

/**
 * Whether a claim may take an existing cursor: the current token while nobody holds it, or the
 * previous token once a hand-back has gone unclaimed for `graceMs` (its message was lost).
 */
export function judge(
  held: { token: string; prevToken?: string | undefined; done: boolean; leaseUntil: number },
  r: Pick<ClaimRequest, 'token' | 'now' | 'graceMs'>,
): ClaimResult | { ok: true } {
  if (held.done) return { ok: false, reason: 'done' };
  if (r.token === held.token) {
    if (held.leaseUntil <= r.now) return { ok: true };
    return { ok: false, reason: 'busy', retryAfterMs: held.leaseUntil - r.now };
  }
  if (r.token === held.prevToken) {
    if (held.leaseUntil + r.graceMs <= r.now) return { ok: true };
    return { ok: false, reason: 'busy', retryAfterMs: held.leaseUntil + r.graceMs - r.now };
  }
  return { ok: false, reason: 'stale' };
}

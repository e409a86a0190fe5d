import { createHash } from 'node:crypto';

/** Which push last decided a field of an item: its `occurredAt` (or acceptance time) and job id. */
export interface LedgerEntry {
  at: number;
  job: string;
}

/** An item's ledger: per field key, the newest push that was applied to it (or lost to a Jama edit). */
export type LedgerFields = Readonly<Record<string, LedgerEntry>>;

/**
 * The per-item push ledger (state table, keys `push#<env>#<itemId>`). A push claims the item
 * before it reads Jama and commits what it decided after its PATCH, so pushes of one item never
 * interleave, an older push arriving after a newer one is skipped as superseded, and a push seen
 * again after its PATCH succeeded (redelivered, retried, redriven) does not PATCH again.
 */
export interface PushLedger {
  /**
   * Claims the item for `job` until `until` (epoch ms) and returns its ledger, or `busy` while
   * another job holds a live claim. The same job may claim again (a retry after a crash).
   */
  claim(env: string, itemId: number, job: string, until: number): Promise<LedgerFields | 'busy'>;
  /** Records `fields` as decided by `job` and releases its claim. */
  commit(env: string, itemId: number, job: string, fields: LedgerFields): Promise<void>;
  /** Releases the claim without recording anything (absent or taken-over claims are fine). */
  release(env: string, itemId: number, job: string): Promise<void>;
}

/** True when `entry` is at least as new as the push (`at`, `job`): ties are broken by job id. */
export function supersedes(entry: LedgerEntry | undefined, at: number, job: string): boolean {
  if (!entry) return false;
  return entry.at > at || (entry.at === at && entry.job >= job);
}

/** A stable id for a job that came without one: the same content always gets the same id. */
export function contentId(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

import type { JamaItem } from './jama-types';
import type { ReadableValues } from './reference/readable';

/** What a sink held for an item before a write (the mirror returns it, for change events). */
export interface PreviousItem {
  deleted: boolean;
  item?: JamaItem;
}

/** What a sink receives: the latest state of an item, or the fact that it was deleted. */
export type SinkRecord =
  | {
      kind: 'item';
      itemId: number;
      documentKey: string;
      modifiedAt: number;
      item: JamaItem;
      /** Id of the full reconciliation run that saw the item (mark-and-sweep); absent otherwise. */
      seenRun?: string;
      /** Names beside Jama's ids (item type, project key, users, pick-list options). */
      readable?: ReadableValues;
      /** Jama's id of the user who made the last modification. */
      modifiedBy?: number;
      /** True when that user is the integration itself (a write-back coming back): relays drop these. */
      bySync?: boolean;
    }
  | { kind: 'tombstone'; itemId: number; documentKey?: string; deletedAt: number };

/**
 * Per-record result of a write, in record order. `stale` means a newer version was already there —
 * not an error. `previous` (mirror only) is the row a `written` record replaced; absent for a new row.
 */
export type SinkWriteResult =
  | { itemId: number; status: 'written' | 'stale'; previous?: PreviousItem | undefined }
  | { itemId: number; status: 'failed'; error: Error };

/**
 * Where synced items go. Sinks are idempotent and monotonic: a write never replaces a newer
 * `modifiedDate` with an older one, and at-least-once delivery is safe.
 */
export interface Sink {
  readonly name: string;
  write(env: string, records: SinkRecord[]): Promise<SinkWriteResult[]>;
}

/** Answers id → documentKey from what was synced before, so pulls can be batched by documentKey. */
export interface ItemIndex {
  documentKeys(env: string, itemIds: number[]): Promise<Map<number, string>>;
}

import type { JamaItem } from '../jama-types';
import type { ReadableValues } from '../reference/readable';

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
      /** When jama-sync read the item from Jama (epoch ms): a sighting after a tombstone replaces it. */
      observedAt?: number;
    }
  | {
      kind: 'tombstone';
      itemId: number;
      documentKey?: string;
      /** When Jama deleted the item, never later than `observedAt` (epoch ms). */
      deletedAt: number;
      /** When Jama confirmed the item gone (a 404, or its DELETE activity was read), epoch ms. */
      observedAt?: number;
    };

/**
 * Per-record result of a write, in record order. `stale` means a newer version was already there —
 * not an error. `previous` (mirror only) is the row a `written` record replaced; absent for a new row.
 */
export type SinkWriteResult =
  /** `altered`: written, but not as given (e.g. truncated to fit the sink), and why. */
  | { itemId: number; status: 'written'; previous?: PreviousItem | undefined; altered?: string }
  | { itemId: number; status: 'stale'; previous?: PreviousItem | undefined }
  | { itemId: number; status: 'failed'; error: Error };

/**
 * Where synced items go. Sinks are idempotent and monotonic: a write never replaces a newer
 * `modifiedDate` with an older one, and at-least-once delivery is safe.
 */
export interface Sink {
  readonly name: string;
  write(env: string, records: SinkRecord[]): Promise<SinkWriteResult[]>;
}

/** What a sink holds for one item. */
export interface IndexEntry {
  documentKey?: string;
  deleted: boolean;
}

/**
 * Answers what was synced before: documentKeys, so pulls can be batched 50 per call, and which ids
 * the sink has ever held, so a delete or 404 for an id it never had costs no call and writes nothing.
 */
export interface ItemIndex {
  /** id → documentKey of the live rows among `itemIds`. */
  documentKeys(env: string, itemIds: number[]): Promise<Map<number, string>>;
  /** The sink's entry for each id it has a row for; ids it never held are absent from the map. */
  lookup(env: string, itemIds: number[]): Promise<Map<number, IndexEntry>>;
}

/** What a claim found: items now marked by this call, items another request had already marked. */
export interface ClaimResult {
  claimed: number[];
  pending: number[];
  /** Set when some items could be neither claimed nor found pending (the store failed). */
  error?: unknown;
}

/**
 * Pending-pull markers: "a pull of this item is queued and has not read Jama yet". The webhook
 * queues a pull only for items it newly claims; the worker releases the markers just before it
 * reads the items, so a change arriving during or after that read queues a fresh pull.
 */
export interface PendingMarkers {
  /** Marks items pending, atomically per item. Never throws for a store failure: see {@link ClaimResult.error}. */
  claim(env: string, itemIds: readonly number[]): Promise<ClaimResult>;
  /** Clears markers (absent ones are fine); rejects unless every one was cleared. */
  release(env: string, itemIds: readonly number[]): Promise<void>;
}

/** One item set aside: its own dead letter with a reason, so its page, run and project go on. */
export interface QuarantinedItem {
  env: string;
  /** Absent when Jama's entry had no usable id. */
  itemId?: number;
  documentKey?: string;
  projectId?: number;
  reason: string;
}

/** Where quarantined items go (the dead-letter queue, counted per environment for `status`). */
export interface Quarantine {
  put(items: readonly QuarantinedItem[]): Promise<void>;
}

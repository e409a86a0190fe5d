import type { MirrorRow } from '../adapters/mirror-sink';
import type { EnvironmentCalls } from './jama-meter';

/**
 * What a local run did, as printed at the end (and as JSON under `--json`). Jama figures are the
 * ones `status` and the dashboard show: counted in this process's Jama clients (`countedAt`).
 */
export interface RunSummary {
  elapsedSeconds: number;
  /** Requests sent to Jama, token requests and 429s included, all environments. */
  jamaCalls: number;
  jama429s: number;
  /** Live items in the mirror, every environment's (tombstones not included; each in `environments`). */
  itemsInMirror: number;
  /** Mirror rows of items deleted in Jama. */
  tombstones: number;
  /** Live items per Jama call, two decimals. */
  itemsPerCall: number;
  /** Most Jama calls sent in any one-second window, in the busiest environment. */
  maxCallsInAnySecond: number;
  /** The first environment's limit (see `environments` for each). */
  rateLimit: number;
  countedAt: string;
  /** Each environment's Jama calls and its own partition of the mirror. */
  environments: (EnvironmentCalls & { itemsInMirror: number; tombstones: number })[];
  deadLetters: number;
  /** Webhook events accepted by the local webhook (duplicates that were coalesced included). */
  webhookEvents: number;
  /** Reconcile function invocations that started their runs (the demo's full and incremental, schedules, `jama-sync reconcile`). */
  reconcileRuns: number;
  /** Whether every live simulator item is in the mirror with its latest modifiedDate and no extra live rows exist (null for a real Jama). */
  mirrorMatches: boolean | null;
  mismatches: number[];
  /** Live relationship rows in the mirror. */
  relationshipsInMirror: number;
  /** Whether the mirror's live relationships equal Jama's (ends, type, suspect; null for a real Jama). */
  relationshipsMatch: boolean | null;
  relationshipMismatches: number[];
}

/** Compares the mirror's live relationships with Jama's; returns the ids that differ. */
export function relationshipDifferences(
  rows: Map<number, { fromItem?: number; toItem?: number; relationshipType?: number; suspect?: boolean }>,
  relationships: readonly {
    id: number;
    fromItem: number;
    toItem: number;
    relationshipType: number;
    suspect?: boolean;
  }[],
): number[] {
  const diff: number[] = [];
  const live = new Set(relationships.map((r) => r.id));
  for (const r of relationships) {
    const row = rows.get(r.id);
    const same =
      row?.fromItem === r.fromItem &&
      row.toItem === r.toItem &&
      row.relationshipType === r.relationshipType &&
      row.suspect === (r.suspect === true);
    if (!same) diff.push(r.id);
  }
  for (const id of rows.keys()) if (!live.has(id)) diff.push(id);
  return diff.sort((a, b) => a - b);
}

/** Compares the mirror with Jama's items; returns the ids that differ (missing, stale, or should be gone). */
export function mirrorDifferences(
  mirror: Map<number, MirrorRow>,
  items: readonly { id: number; modifiedDate: string }[],
): number[] {
  const live = new Map(items.map((item) => [item.id, item]));
  const diff: number[] = [];
  for (const item of items) {
    const row = mirror.get(item.id);
    if (!row || row.deleted || row.modifiedDate !== item.modifiedDate) diff.push(item.id);
  }
  for (const [id, row] of mirror) if (!row.deleted && !live.has(id)) diff.push(id);
  return diff.sort((a, b) => a - b);
}

/** The summary as a few human lines. */
export function formatSummary(s: RunSummary): string {
  const lines = [
    `Synced ${s.itemsInMirror} items (+${s.tombstones} tombstones) in ${s.elapsedSeconds.toFixed(1)} s`,
    `Jama calls: ${s.jamaCalls} (${s.itemsPerCall.toFixed(1)} items per call), 429s: ${s.jama429s} — counted in the ${s.countedAt}`,
    ...s.environments.map((e) =>
      s.environments.length > 1
        ? `  ${e.env}: ${e.itemsInMirror} items (+${e.tombstones} tombstones), ${e.calls} Jama calls, 429s ${e.throttled}, busiest second ${e.busiestSecond} calls (limit ${e.rateLimit}/s)`
        : `Busiest second: ${e.busiestSecond} calls (limit ${e.rateLimit}/s)`,
    ),
    `Webhook events: ${s.webhookEvents}, reconciliation runs: ${s.reconcileRuns}`,
    `Dead letters: ${s.deadLetters}`,
  ];
  if (s.mirrorMatches !== null) {
    lines.push(
      s.mirrorMatches
        ? 'Mirror matches Jama: yes'
        : `Mirror matches Jama: NO — ${s.mismatches.length} items differ (first: ${s.mismatches.slice(0, 10).join(', ')})`,
    );
  }
  if (s.relationshipsMatch !== null) {
    lines.push(
      s.relationshipsMatch
        ? `Mirror relationships equal Jama's: yes (${s.relationshipsInMirror})`
        : `Mirror relationships equal Jama's: NO — ${s.relationshipMismatches.length} differ (first: ${s.relationshipMismatches.slice(0, 10).join(', ')})`,
    );
  } else lines.push(`Relationships in the mirror: ${s.relationshipsInMirror}`);
  return lines.join('\n');
}

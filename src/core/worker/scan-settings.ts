import type { Clock } from '../clock';
import type { ScanJob } from '../jobs';
import type { JobQueue } from '../ports/job-queue';
import type { Quarantine } from '../ports/quarantine';
import type { Sink } from '../ports/sink';
import type { RunCursorStore } from '../reconcile/cursor';

/** How a scan job reads: tunable per deployment (tests shorten the lease and grace). */
export interface ScanSettings {
  /** A reader's hold on a slice without advancing it; renewed by every page. @default 60_000 */
  leaseMs: number;
  /** After a hand-back, how long before the previous message may resume a slice nobody claimed. @default 60_000 */
  graceMs: number;
  /** Stop reading and hand the slice back after this long in one invocation. @default 40_000 */
  maxRunMs: number;
  /**
   * Longest wait for a background limiter slot before handing back: long enough to wait out the
   * first pause after a 429 (3 s, ± 20 %) in place, which costs less than a hand-back. @default 4_000
   */
  waitBudgetMs: number;
  /** Most slices one project's run is split into. @default 4 */
  maxSlices: number;
  /** No slice is planned with fewer pages than this (each split costs a probe call). @default 16 */
  minPagesPerSlice: number;
  /** The rate the slices together should be able to fill (calls/s). @default 9 */
  targetRate: number;
}

export const DEFAULT_SCAN_SETTINGS: ScanSettings = {
  leaseMs: 60_000,
  graceMs: 60_000,
  maxRunMs: 40_000,
  waitBudgetMs: 4_000,
  maxSlices: 4,
  minPagesPerSlice: 16,
  targetRate: 9,
};

/**
 * Into how many slices a run is split, from its first page: enough sequential readers to fill
 * `targetRate` when each page takes `pageMs` (Jama's latency plus the sink writes) — with 20 %
 * to spare — but no slice under `minPagesPerSlice` pages and no more than `maxSlices`.
 *
 * @example sliceCount(400, 350, DEFAULT_SCAN_SETTINGS) // 4: 9/s × 0.35 s × 1.2 = 3.8 readers
 */
export function sliceCount(pages: number, pageMs: number, s: ScanSettings): number {
  const readers = Math.ceil((s.targetRate * Math.max(pageMs, 1) * 1.2) / 1000);
  return Math.max(1, Math.min(s.maxSlices, readers, Math.floor(pages / s.minPagesPerSlice)));
}

/** What a scan reads and writes through, besides Jama. */
export interface ScanDeps {
  sinks: readonly Sink[];
  queue: JobQueue;
  cursors: RunCursorStore;
  clock: Clock;
  settings: ScanSettings;
  /** A fresh unique id (reader ids and hand-back tokens). */
  newId(): string;
  signal?: AbortSignal;
  /** Where malformed or unstorable items go, so that the rest of the page and the run go on. */
  quarantine?: Quarantine;
  /** Whether the job's run still holds its lease; a run taken over stops. @default always */
  isLive?(job: ScanJob): Promise<boolean>;
  /** Called once after the last page of every slice of a run is in the sinks (watermark, sweep, lease). */
  onComplete?(job: ScanJob, newestActivity: number | undefined): Promise<void>;
}

import { type CursorKey, type RunCursorStore, sliceKeys } from './cursor';

/** How far one run has got, from its record and slice cursors (for `status` and stall detection). */
export interface RunProgress {
  env: string;
  projectId: number;
  kind: string;
  runId: string;
  startedAt: number;
  slices: number;
  slicesDone: number;
  pages: number;
  items: number;
  /** Jama's `totalResults` at the run's first page; undefined before it was read. */
  total?: number | undefined;
  /** When any cursor of the run last moved (the run's start if none has). */
  lastAdvancedAt: number;
  /** Items per second since the start. */
  itemsPerSecond: number;
  /** At that rate, how long until `total` (undefined when unknown). */
  etaMs?: number | undefined;
}

/**
 * Reads a run's progress: one read of its record and one per slice cursor.
 *
 * @example
 * const p = await runProgress(cursors, { env: 'prod', projectId: 20, kind: 'items', runId }, startedAt, Date.now());
 * // { pages: 120, items: 6000, total: 20000, itemsPerSecond: 450, etaMs: 31111, … }
 */
export async function runProgress(
  cursors: RunCursorStore,
  run: Omit<CursorKey, 'slice'>,
  startedAt: number,
  now: number,
): Promise<RunProgress> {
  const record = await cursors.run(run);
  const slices = record?.slices ?? 1;
  const found = await Promise.all(sliceKeys(run, slices).map((key) => cursors.read(key)));
  const read = found.filter((c) => c !== undefined);
  const pages = read.reduce((n, c) => n + c.pages, 0);
  const items = read.reduce((n, c) => n + c.items, 0);
  const lastAdvancedAt = Math.max(startedAt, ...read.map((c) => c.advancedAt));
  const itemsPerSecond = now > startedAt ? (items * 1000) / (now - startedAt) : 0;
  const total = record?.total;
  const etaMs =
    total !== undefined && itemsPerSecond > 0
      ? Math.max(0, ((total - items) * 1000) / itemsPerSecond)
      : undefined;
  return {
    ...run,
    startedAt,
    slices,
    slicesDone: read.filter((c) => c.done).length,
    pages,
    items,
    total,
    lastAdvancedAt,
    itemsPerSecond,
    etaMs,
  };
}

import type { MirrorRow } from '../../src/adapters/mirror-sink';
import { parseJamaDate } from '../../src/core/jama-date';

/** A mirror row seen going backwards (or disappearing) between two polls. */
export interface Regression {
  itemId: number;
  what: 'version' | 'modifiedDate' | 'vanished';
  from: number | string;
  to: number | string | undefined;
  at: number;
}

interface Seen {
  version: number;
  modifiedMs?: number;
  modifiedDate?: string;
}

/**
 * Polls the mirror while the pipeline runs and records every row whose `version` or
 * `modifiedDate` is lower than one seen before, or that disappears. A poll sees snapshots, so a
 * regression that is undone between two polls can slip by; the rogue writers (rogue-writers.ts)
 * check the conditional write itself, write by write.
 */
export class MonotonicityWatcher {
  readonly regressions: Regression[] = [];
  polls = 0;
  /** Polls that failed to read the mirror (the store was busy); the next poll covers them. */
  readErrors = 0;
  private readonly seen = new Map<number, Seen>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly read: () => Promise<Map<number, MirrorRow>>) {}

  /** The highest version seen for an item so far (0 if none). */
  highest(itemId: number): number {
    return this.seen.get(itemId)?.version ?? 0;
  }

  /** Compares one snapshot of the mirror with everything seen before. */
  observe(rows: ReadonlyMap<number, MirrorRow>, at = Date.now()): void {
    this.polls++;
    for (const [itemId, before] of this.seen) {
      if (!rows.has(itemId))
        this.regressions.push({ itemId, what: 'vanished', from: before.version, to: undefined, at });
    }
    for (const [itemId, row] of rows) {
      const before = this.seen.get(itemId);
      const modifiedMs = row.modifiedDate ? parseJamaDate(row.modifiedDate) : undefined;
      if (before && row.version < before.version) {
        this.regressions.push({ itemId, what: 'version', from: before.version, to: row.version, at });
      }
      if (before?.modifiedMs !== undefined && modifiedMs !== undefined && modifiedMs < before.modifiedMs) {
        this.regressions.push({
          itemId,
          what: 'modifiedDate',
          from: before.modifiedDate as string,
          to: row.modifiedDate,
          at,
        });
      }
      const next: Seen = { version: Math.max(row.version, before?.version ?? 0) };
      const newest = Math.max(modifiedMs ?? 0, before?.modifiedMs ?? 0);
      if (newest > 0) {
        next.modifiedMs = newest;
        const date = newest === modifiedMs ? row.modifiedDate : before?.modifiedDate;
        if (date) next.modifiedDate = date;
      }
      this.seen.set(itemId, next);
    }
  }

  /** Polls back to back, `intervalMs` apart, until {@link stop}. */
  start(intervalMs = 200): void {
    const loop = async () => {
      while (!this.stopped) {
        const rows = await this.read().catch(() => undefined);
        if (rows) this.observe(rows);
        else this.readErrors++;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    };
    this.running = loop();
  }

  /** Stops polling after one last poll. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.running;
    this.observe(await this.read());
  }
}

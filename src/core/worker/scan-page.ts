import { SinkError } from '../errors';
import { formatJamaDate, parseJamaDate } from '../jama-date';
import type { JamaItem, Page } from '../jama-types';
import type { Quarantine, QuarantinedItem } from '../ports/quarantine';
import type { Sink, SinkRecord } from '../ports/sink';
import { itemRecord } from './pull';
import { rejectedItem } from './quarantine';
import { writeSinks } from './write-sinks';

/** What the scan's keyset cursor needs of an entry. */
export type Dated = Pick<JamaItem, 'lastActivityDate' | 'modifiedDate'>;

export interface PageWriteDeps {
  sinks: readonly Sink[];
  /** Without it, a bad item fails the page as it always did. */
  quarantine?: Quarantine;
  /** When the page was read (epoch ms): sightings replace tombstones confirmed before it. */
  observedAt?: number;
}

/**
 * Writes one scan page item by item: a malformed entry, or an item a sink refuses for good or had
 * to alter, is quarantined as its own dead letter with a reason and the rest of the page is
 * written; only a transient sink failure fails the page (it is retried whole, which is idempotent).
 * Returns that failure, if any, and how many items were quarantined.
 */
export async function writeScanPage(
  env: string,
  page: Page<JamaItem>,
  mark: { seenRun?: string },
  projectId: number,
  deps: PageWriteDeps,
): Promise<{ failure?: Error; quarantined: number }> {
  const records: SinkRecord[] = page.data.map((item) => ({ ...itemRecord(item, deps.observedAt), ...mark }));
  const set: QuarantinedItem[] = (page.rejected ?? []).map((entry) => rejectedItem(env, entry, projectId));
  const { failures, quarantined } = await writeSinks(deps.sinks, env, records);
  const [failure] = failures.values();
  if (failure) return { failure, quarantined: 0 };
  for (const [itemId, reason] of quarantined) {
    const record = records.find((r) => r.itemId === itemId);
    const documentKey = record?.kind === 'item' ? record.documentKey : undefined;
    set.push({ env, itemId, projectId, ...(documentKey ? { documentKey } : {}), reason });
  }
  if (set.length > 0) {
    if (!deps.quarantine)
      return { failure: new SinkError((set[0] as QuarantinedItem).reason), quarantined: 0 };
    await deps.quarantine.put(set);
  }
  return { quarantined: set.length };
}

/**
 * Every entry of the page in Jama's order, valid or not, with the dates the cursor pages by: a
 * malformed entry without a readable date sorts with the entry before it (or at `from`, the
 * window's start, when it comes first).
 */
export function datedEntries(page: Page<JamaItem>, from: number): Dated[] {
  const entries: Dated[] = [];
  const rejected = new Map((page.rejected ?? []).map((r) => [r.index, r]));
  let next = 0;
  let last = formatJamaDate(from);
  for (let index = 0; index < page.data.length + rejected.size; index++) {
    const bad = rejected.get(index);
    const entry: Dated = bad
      ? { modifiedDate: readable(bad.lastActivityDate) ?? last }
      : (page.data[next++] as JamaItem);
    last = entry.lastActivityDate ?? entry.modifiedDate;
    entries.push(entry);
  }
  return entries;
}

function readable(date: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  try {
    parseJamaDate(date);
    return date;
  } catch {
    return undefined;
  }
}

import { parseJamaDate } from '../jama-date';
import type { JamaItem, Page } from '../jama-types';
import type { ScanJob } from '../jobs';
import type { JamaApi } from '../ports/jama-api';
import type { CursorKey, SlicePosition } from '../reconcile/cursor';
import { MAX_PAGE } from './pull';
import type { Dated } from './scan-page';
import type { ScanDeps } from './scan-settings';
import { sliceCount } from './scan-settings';

/** When the item last changed in any way (falls back to modifiedDate if Jama omits lastActivityDate). */
export function activityAt(item: Dated): number {
  return parseJamaDate(item.lastActivityDate ?? item.modifiedDate);
}

/**
 * The keyset position after `items` (sorted by lastActivityDate ascending): past the newest date,
 * skipping the items already written at exactly it; pages and items counted, newest remembered.
 */
export function nextPosition(pos: SlicePosition, items: readonly Dated[]): SlicePosition {
  const counted = { ...pos, pages: pos.pages + 1, items: pos.items + items.length };
  const lastItem = items.at(-1);
  if (!lastItem) return counted;
  const last = activityAt(lastItem);
  const atLast = items.filter((item) => activityAt(item) === last).length;
  const newest = Math.max(last, pos.newest ?? last);
  return last === pos.from
    ? { ...counted, skip: pos.skip + items.length, newest }
    : { ...counted, from: last, skip: atLast, newest };
}

/**
 * Plans the run at its first page (slice 0): records it (slices, Jama's `totalResults`) and, when
 * one sequential reader cannot fill the rate ({@link sliceCount}), splits it. Each boundary is the
 * lastActivityDate of the item at offset k·total/n, asked with a one-item probe (n − 1 calls);
 * slice k − 1 ends at that date (inclusive) and slice k starts 1 ms after it, so the slices are
 * disjoint and together cover the run. The last slice stays open-ended, so items edited during the
 * run are met again by it. Cursors for slices 1… are created and one message sent for each; the
 * run's record is written once (a repeated first page reuses its boundaries). Resolves where slice
 * 0 now ends (undefined when the run is not split).
 */
export async function splitRun(
  jama: JamaApi,
  job: ScanJob,
  first: Page<JamaItem>,
  pageMs: number,
  deps: ScanDeps,
): Promise<number | undefined> {
  const total = first.totalResults;
  const n = sliceCount(Math.ceil(total / MAX_PAGE), pageMs, deps.settings);
  const lastSeen = first.data.at(-1);
  let floor = lastSeen ? activityAt(lastSeen) : Number.POSITIVE_INFINITY;
  const bounds: number[] = [];
  for (let k = 1; k < n; k++) {
    try {
      const probe = await jama.searchAbstractItems(
        {
          project: [job.projectId],
          lastActivityDate: job.until === undefined ? [job.from] : [job.from, job.until],
          sortBy: ['lastActivityDate.asc'],
          startAt: Math.round((k * total) / n),
          maxResults: 1,
        },
        {
          lane: 'background',
          maxWaitMs: deps.settings.waitBudgetMs,
          ...(deps.signal ? { signal: deps.signal } : {}),
        },
      );
      const at = probe.data[0] && activityAt(probe.data[0]);
      if (at !== undefined && at >= floor && (job.until === undefined || at < job.until)) {
        bounds.push(at);
        floor = at + 1;
      }
    } catch {
      break; // fewer slices; the run still covers everything
    }
  }
  const runKey = { env: job.env, projectId: job.projectId, kind: 'items', runId: job.runId };
  const record = await deps.cursors.createRun(
    {
      key: runKey,
      mode: job.mode,
      startedAt: job.startedAt ?? deps.clock.now(),
      slices: bounds.length + 1,
      total,
      bounds,
      doneSlices: [],
    },
    deps.clock.now(),
  );
  const stored = record.bounds;
  if (stored.length === 0) return undefined;
  const slices = stored.map((b, i) => {
    const until = stored[i + 1] ?? job.until;
    const key: CursorKey = { ...runKey, slice: i + 1 };
    const position: SlicePosition = { from: b + 1, skip: 0, until, pages: 0, items: 0 };
    return { key, token: 'start', position };
  });
  await deps.cursors.create(slices, deps.clock.now());
  await deps.queue.send(
    slices.map(({ key, position }) => {
      const { meta: _meta, ...rest } = job;
      const next: ScanJob = {
        ...rest,
        slice: key.slice,
        token: 'start',
        from: position.from,
        skip: 0,
        page: 0,
      };
      if (position.until !== undefined) next.until = position.until;
      else delete next.until;
      return next;
    }),
  );
  return stored[0];
}

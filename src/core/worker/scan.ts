import type { JamaApi } from '../jama-api';
import { parseJamaDate } from '../jama-date';
import type { JobQueue } from '../job-queue';
import type { Sink } from '../sink';
import type { ScanJob } from './jobs';
import { done, type Outcome } from './outcome';
import { MAX_PAGE } from './pull';
import type { Quarantine } from './quarantine';
import { type Dated, datedEntries, writeScanPage } from './scan-page';

export interface ScanDeps {
  sinks: readonly Sink[];
  queue: JobQueue;
  /** Where malformed or unstorable items go, so that the rest of the page and the run go on. */
  quarantine?: Quarantine;
  /** Epoch ms; dates the page's sightings. */
  now?: () => number;
  signal?: AbortSignal;
  /** Called after the last page of a run is in the sinks (reconciliation advances its watermark here). */
  onComplete?(job: ScanJob, newestActivity: number | undefined): Promise<void>;
}

/**
 * One page of a reconciliation: up to 50 items of a project by `lastActivityDate` ascending, written
 * straight to the sinks (no per-item re-fetch), then the next page is enqueued as its own job so a
 * long scan survives Lambda's time limit and shares the limiter with everything else.
 *
 * Paging is by keyset (`lastActivityDate ≥ from`, skipping the items already written at exactly
 * `from`) rather than by offset, so items edited during the scan cannot shift unseen items out of
 * the window; an edited item simply shows up again later in the same scan.
 */
export async function runScan(jama: JamaApi, job: ScanJob, deps: ScanDeps): Promise<Outcome> {
  const observedAt = deps.now?.();
  const page = await jama.searchAbstractItems(
    {
      project: [job.projectId],
      lastActivityDate: job.until === undefined ? [job.from] : [job.from, job.until],
      sortBy: ['lastActivityDate.asc'],
      startAt: job.skip,
      maxResults: MAX_PAGE,
    },
    deps.signal ? { signal: deps.signal } : {},
  );
  // A full run marks what it saw, so that its sweep can find mirror rows Jama no longer has.
  const mark = job.mode === 'full' ? { seenRun: job.runId } : {};
  // Item by item: a malformed or unstorable item is quarantined; the rest of the page goes on.
  const { failure } = await writeScanPage(job.env, page, mark, job.projectId, {
    sinks: deps.sinks,
    ...(deps.quarantine ? { quarantine: deps.quarantine } : {}),
    ...(observedAt === undefined ? {} : { observedAt }),
  });
  if (failure) return { type: 'failed', error: failure };

  const entries = datedEntries(page, job.from);
  const more = job.skip + entries.length < page.totalResults && entries.length > 0;
  if (more) {
    await deps.queue.send([{ ...nextCursor(job, entries), page: job.page + 1 }]);
  } else {
    await deps.onComplete?.(job, newest(entries) ?? (job.skip > 0 ? job.from : undefined));
  }
  return done;
}

/** The scan job for the page after `items` (sorted by lastActivityDate ascending). */
export function nextCursor(job: ScanJob, items: readonly Dated[]): ScanJob {
  const last = newest(items) as number;
  const atLast = items.filter((item) => activityAt(item) === last).length;
  const { meta: _meta, ...rest } = job;
  return last === job.from
    ? { ...rest, skip: job.skip + items.length }
    : { ...rest, from: last, skip: atLast };
}

function newest(items: readonly Dated[]): number | undefined {
  const last = items.at(-1);
  return last ? activityAt(last) : undefined;
}

/** When the item last changed in any way (falls back to modifiedDate if Jama omits lastActivityDate). */
function activityAt(item: Dated): number {
  return parseJamaDate(item.lastActivityDate ?? item.modifiedDate);
}

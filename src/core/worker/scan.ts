import type { JamaItem, Page } from '../jama-types';
import type { ScanJob } from '../jobs';
import type { JamaApi } from '../ports/jama-api';
import type { CursorKey, SlicePosition } from '../reconcile/cursor';
import { classify } from './classify';
import { done, type Outcome } from './outcome';
import { MAX_PAGE } from './pull';
import { datedEntries, writeScanPage } from './scan-page';
import type { ScanDeps } from './scan-settings';
import { activityAt, nextPosition, splitRun } from './scan-split';

export type { ScanDeps } from './scan-settings';

/** The cursor kind of item scans (relationship scans use their own). */
export const ITEM_SCAN = 'items';

const SEND_DELAY_CAP_S = 900;
/** 429s in a row on one page that a reader waits out in place before handing the slice back. */
const MAX_THROTTLED_IN_PLACE = 2;

/**
 * One stretch of a reconciliation run's slice: claims the slice's cursor with the message's
 * token (a duplicate, stale or finished message stops here, without a Jama call), then reads
 * pages of 50 by `lastActivityDate` ascending (keyset: items edited meanwhile reappear later,
 * none are skipped) through the limiter's background lane, writing each page to the sinks and
 * then advancing the cursor (reading the next page meanwhile), until the slice ends or it must stop: `maxRunMs` or the invocation's
 * deadline, a limiter wait beyond `waitBudgetMs` (interactive work is taking the slots, or a 429
 * paused the timeline for longer), or a third 429 in a row (the first two it waits out in place,
 * reading the page again once the limiter's pause ends). Then it hands the slice back under a new token with one
 * message. The run's first page decides whether to split it into slices (see {@link splitRun}).
 * When the last slice finishes, `onComplete` runs once.
 */
export async function runScan(jama: JamaApi, job: ScanJob, deps: ScanDeps): Promise<Outcome> {
  const { cursors, clock, settings } = deps;
  const key: CursorKey = {
    env: job.env,
    projectId: job.projectId,
    kind: ITEM_SCAN,
    runId: job.runId,
    slice: job.slice,
  };
  if (deps.isLive && !(await deps.isLive(job)))
    return { type: 'done', note: 'run taken over by a newer run' };
  const owner = deps.newId();
  const initial: SlicePosition = { from: job.from, skip: job.skip, until: job.until, pages: 0, items: 0 };
  const claim = await cursors.claim({
    key,
    token: job.token,
    owner,
    now: clock.now(),
    leaseMs: settings.leaseMs,
    graceMs: settings.graceMs,
    initial,
  });
  if (!claim.ok) {
    if (claim.reason === 'busy')
      return { type: 'throttled', by: 'limiter', retryAfterMs: claim.retryAfterMs };
    return { type: 'done', note: `scan message ${claim.reason}` };
  }
  let pos: SlicePosition = claim.cursor;
  const stopAt = clock.now() + settings.maxRunMs;
  const handBack = async (delayMs = 0): Promise<Outcome> => {
    const token = deps.newId();
    if (!(await cursors.handBack(key, owner, token, clock.now())))
      return { type: 'done', note: 'slice lost' };
    const next: ScanJob = { ...withoutMeta(job), token, from: pos.from, skip: pos.skip, page: pos.pages };
    if (pos.until !== undefined) next.until = pos.until;
    const delaySeconds = Math.min(SEND_DELAY_CAP_S, Math.ceil(delayMs / 1000));
    await deps.queue.send([next], delaySeconds > 0 ? { delaySeconds } : {});
    return done;
  };

  const read = (at: SlicePosition): ReadAhead => {
    const startedAt = clock.now();
    const page = jama.searchAbstractItems(
      {
        project: [job.projectId],
        lastActivityDate: at.until === undefined ? [at.from] : [at.from, at.until],
        sortBy: ['lastActivityDate.asc'],
        startAt: at.skip,
        maxResults: MAX_PAGE,
      },
      {
        lane: 'background',
        maxWaitMs: settings.waitBudgetMs,
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
    );
    // Awaited in the next turn, or dropped with the invocation's end; never an unhandled rejection.
    page.catch(() => undefined);
    return { startedAt, page };
  };

  let ahead: ReadAhead | undefined;
  let throttledInPlace = 0;
  for (;;) {
    // A page already asked for is still written (its call is paid); no new one starts past the stop.
    if (!ahead && (deps.signal?.aborted || clock.now() >= stopAt)) return handBack();
    const { startedAt, page: reading } = ahead ?? read(pos);
    ahead = undefined;
    let page: Page<JamaItem>;
    try {
      page = await reading;
    } catch (error) {
      const outcome = classify(error, deps.signal);
      // A 429's pause (3 s) is shorter than a hand-back's SQS delay, poll and invocation: read the
      // page again, the limiter holding this reader until the pause ends if that is within the wait
      // budget (a longer pause refuses the slot, and the slice goes back with that delay).
      if (
        outcome.type === 'throttled' &&
        outcome.by === 'jama' &&
        throttledInPlace < MAX_THROTTLED_IN_PLACE
      ) {
        throttledInPlace++;
        continue;
      }
      if (outcome.type === 'throttled') return handBack(outcome.retryAfterMs ?? 0);
      if (outcome.type === 'deferred') return handBack();
      await cursors.release(key, owner);
      return outcome;
    }
    // Malformed entries count for the keyset position too, or the cursor would stall on them.
    const entries = datedEntries(page, pos.from);
    const more = entries.length > 0 && pos.skip + entries.length < page.totalResults;
    let next = nextPosition(pos, entries);
    const first = job.slice === 0 && pos.pages === 0;
    // The next page's position follows from this page alone: Jama answers it while this one is
    // written (a slice's pace is then Jama's latency or the sink writes, not their sum). Not after
    // the run's first page, which may still split the run and bound this slice.
    if (more && !first && !deps.signal?.aborted && clock.now() < stopAt) ahead = read(next);
    // A full run marks what it saw, so that its sweep can find mirror rows Jama no longer has.
    const mark = job.mode === 'full' ? { seenRun: job.runId } : {};
    // Item by item: a malformed or unstorable item is quarantined; the rest of the page goes on.
    const { failure } = await writeScanPage(job.env, page, mark, job.projectId, {
      sinks: deps.sinks,
      ...(deps.quarantine ? { quarantine: deps.quarantine } : {}),
      observedAt: startedAt,
    });
    if (failure) {
      await cursors.release(key, owner);
      return { type: 'failed', error: failure };
    }
    if (first) {
      const until = await splitRun(jama, job, page, clock.now() - startedAt, deps);
      if (until !== undefined) next = { ...next, until };
    }
    throttledInPlace = 0;
    if (!more) return finishSlice(job, key, owner, next, deps);
    if (!(await cursors.advance(key, owner, next, clock.now(), settings.leaseMs)))
      return { type: 'done', note: 'slice lost' };
    pos = next;
  }
}

/** A page asked of Jama before the previous one was written, and when it was asked. */
interface ReadAhead {
  startedAt: number;
  page: Promise<Page<JamaItem>>;
}

/**
 * Counts the slice done in the run's record and, if it was the last, completes the run — before
 * the cursor is marked done, so that a crash in between leaves the slice to be finished (and the
 * idempotent completion repeated) by the redelivered message.
 */
async function finishSlice(
  job: ScanJob,
  key: CursorKey,
  owner: string,
  position: SlicePosition,
  deps: ScanDeps,
): Promise<Outcome> {
  const run = await deps.cursors.sliceDone(key, position.newest);
  if (run === undefined || run.doneSlices.length >= run.slices)
    await deps.onComplete?.(job, run?.newest ?? position.newest);
  await deps.cursors.finish(key, owner, position, deps.clock.now());
  return done;
}

function withoutMeta(job: ScanJob): ScanJob {
  const { meta: _meta, ...rest } = job;
  return rest;
}

export { activityAt };

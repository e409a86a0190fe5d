import type { JamaApi } from '../jama-api';
import { parseJamaDate } from '../jama-date';
import type { PatchOperation } from '../jama-types';
import type { PushJob } from './jobs';
import { done, type Outcome } from './outcome';

/**
 * Applies a push job with `PATCH /items/{id}` (add, replace, remove on `/fields/...`).
 *
 * Conflict rule: with `ifUnmodifiedSince`, the item is read first and the change is skipped when
 * Jama's `modifiedDate` is later than the guard — someone changed the item in Jama after the
 * downstream change was made, and Jama wins. Without a guard the last writer wins.
 */
export async function runPush(jama: JamaApi, job: PushJob, signal?: AbortSignal): Promise<Outcome> {
  const options = signal ? { signal } : {};
  if (job.ifUnmodifiedSince !== undefined) {
    const current = await jama.getItem(job.itemId, options);
    if (parseJamaDate(current.modifiedDate) > job.ifUnmodifiedSince)
      return { type: 'done', note: 'conflict' };
  }
  // The job schema already restricts paths to `/fields/...`.
  await jama.patchItem(job.itemId, job.ops as PatchOperation[], options);
  return done;
}

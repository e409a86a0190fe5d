import type { JamaItem } from '../jama-types';
import type { PushJob } from '../jobs';
import type { JamaApi } from '../ports/jama-api';
import type { ItemIndex } from '../ports/sink';

/**
 * Reads the items a batch's pushes write to, 50 per `/abstractitems?documentKey=…` call, for the
 * items whose documentKey the index (the mirror) knows. Only the first push of each item may use
 * its copy — a later one in the same batch must see what the first wrote, so it reads again. Items
 * not found (unknown key, moved, or the read failed) are simply absent: their push reads by id.
 *
 * Reading before the push claims its item widens no race that is not already there: Jama has no
 * conditional PATCH, so an edit in Jama between any read and the PATCH is possible anyway; edits by
 * other pushes are still ordered by the ledger, which the push consults after claiming.
 */
export async function prefetchPushTargets(
  jama: JamaApi,
  index: ItemIndex | undefined,
  env: string,
  jobs: readonly PushJob[],
  signal?: AbortSignal,
): Promise<Map<number, JamaItem>> {
  const ids = [...new Set(jobs.map((j) => j.itemId))];
  if (!index || ids.length < 2) return new Map();
  try {
    const keys = await index.documentKeys(env, ids);
    if (keys.size < 2) return new Map();
    const items = await jama.getItemsByDocumentKeys([...keys.values()], signal ? { signal } : {});
    return new Map(
      items.filter((item) => keys.get(item.id) === item.documentKey).map((item) => [item.id, item]),
    );
  } catch {
    // Only an optimisation: each push reads its item by id instead.
    return new Map();
  }
}

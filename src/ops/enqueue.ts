import { SqsJobQueue } from '../adapters/sqs-job-queue';
import type { JobInput } from '../core/jobs';
import type { Deployment } from './deployment';
import { aws, OpsError } from './errors';
import { idsByDocumentKey } from './mirror';

export interface EnqueueResult {
  env: string;
  itemIds: number[];
  /** Ids Jama was not asked about (a deployed stack's credentials are not on this machine, or too many). */
  unchecked: number[];
}

/** The environment an operator meant: the one named, or the only one there is. */
export function pickEnvironment(d: Deployment, env: string | undefined): string {
  if (env !== undefined) {
    if (!d.environments.includes(env)) {
      throw new OpsError(
        'TARGET_NOT_FOUND',
        `The ${d.label} has no Jama environment \`${env}\`; it has: ${d.environments.join(', ')}.`,
      );
    }
    return env;
  }
  const [only, ...others] = d.environments;
  if (only === undefined || others.length > 0) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `The ${d.label} has several Jama environments (${d.environments.join(', ')}): pick one with --env.`,
    );
  }
  return only;
}

/**
 * Queues a pull of each item on the jobs queue, as a webhook would. Document keys are resolved to
 * item ids through the mirror (a pull job names its item); keys the mirror does not know are
 * refused before anything is queued.
 */
export async function enqueuePulls(
  d: Deployment,
  request: { env?: string; ids?: number[]; documentKeys?: string[] },
): Promise<EnqueueResult> {
  const env = pickEnvironment(d, request.env);
  const keys = request.documentKeys ?? [];
  const resolved = keys.length ? await idsByDocumentKey(d, env, keys) : new Map<string, number>();
  const unknown = keys.filter((k) => !resolved.has(k));
  if (unknown.length) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `Not in the mirror of ${env}: ${unknown.join(', ')}. Enqueue them by item id (--id), or run \`jama-sync reconcile\` first.`,
    );
  }
  const ids = request.ids ?? [];
  // A pull of an id Jama does not know would only write a tombstone for an item that never existed.
  const found = ids.length && d.check ? await d.check({ env, items: ids }) : undefined;
  if (found?.missingItems.length) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `Jama (${env}) has no item ${found.missingItems.join(', ')}: nothing queued. Check the id (the number in the item's URL, not its document key).`,
    );
  }
  const byId = new Map<number, string | undefined>(ids.map((id) => [id, undefined]));
  for (const [key, id] of resolved) byId.set(id, key);
  const jobs: JobInput[] = [...byId].map(([itemId, documentKey]) => ({
    v: 1,
    env,
    kind: 'pull',
    itemId,
    ...(documentKey ? { documentKey } : {}),
  }));
  await aws('send to the jobs queue', () => new SqsJobQueue(d.sqs, d.queues.jobs).send(jobs));
  return { env, itemIds: [...byId.keys()], unchecked: found ? found.uncheckedItems : ids };
}

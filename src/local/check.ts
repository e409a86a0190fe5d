import { JobInvalidError } from '../core/errors';
import { JamaNotFoundError } from '../core/jama-errors';
import type { ExistenceCheck, ExistenceResult } from '../ops/deployment';
import type { LocalStack } from './local-stack';

/** Items checked one call each; more are reported unchecked rather than spending the budget. */
const MAX_ITEMS_CHECKED = 20;

/**
 * Asks Jama, through the environment's own client and limiter, whether projects and items exist —
 * so `jama-sync reconcile --project 99` or `enqueue --id 999999` is refused instead of "succeeding".
 */
export async function checkExistence(stack: LocalStack, request: unknown): Promise<ExistenceResult> {
  const { env, projects = [], items = [] } = (request ?? {}) as Partial<ExistenceCheck>;
  const client = env === undefined ? undefined : stack.workers.deps.jamaClients.get(env);
  if (!client) throw new JobInvalidError(`no Jama environment \`${env}\``);
  const visibleProjects = projects.length ? (await client.listProjects()).map((p) => p.id) : [];
  const missingItems: number[] = [];
  for (const id of items.slice(0, MAX_ITEMS_CHECKED)) {
    try {
      await client.getItem(id);
    } catch (error) {
      if (!(error instanceof JamaNotFoundError)) throw error;
      missingItems.push(id);
    }
  }
  return {
    missingProjects: projects.filter((p) => !visibleProjects.includes(p)),
    visibleProjects,
    missingItems,
    uncheckedItems: items.slice(MAX_ITEMS_CHECKED),
  };
}

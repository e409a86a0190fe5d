import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRunCursorStore } from '../adapters/run-cursors';
import { type RunProgress, runProgress } from '../core/reconcile/progress';
import type { Deployment } from './deployment';
import { aws } from './errors';

/** A reconciliation run in progress, with its mode. */
export type ActiveRun = RunProgress & { mode: string };

/**
 * The runs whose lease is held and unfinished (`run#<env>#<project>#<mode>` items of the state
 * table), each with its progress from the run cursor: pages and items done, of Jama's
 * `totalResults`, the rate since it started and the time left at that rate. One filtered scan of
 * the state table (it holds limiter items, watermarks, leases, cursors and short-lived markers),
 * then a few reads per run.
 */
export async function activeRuns(d: Deployment, now = Date.now()): Promise<ActiveRun[]> {
  const doc = DynamoDBDocumentClient.from(d.dynamodb);
  const leases: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await aws('read the reconciliation runs', () =>
      doc.send(
        new ScanCommand({
          TableName: d.tables.state,
          FilterExpression: 'begins_with(pk, :run) AND attribute_not_exists(finishedAt)',
          ExpressionAttributeValues: { ':run': 'run#' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    leases.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const cursors = new DynamoDbRunCursorStore(d.dynamodb, d.tables.state);
  return Promise.all(
    leases.map(async (lease) => {
      const [, env = '', project = '0', mode = ''] = String(lease.pk).split('#');
      const run = { env, projectId: Number(project), kind: 'items', runId: String(lease.runId) };
      const progress = await aws('read a run cursor', () =>
        runProgress(cursors, run, Number(lease.startedAt ?? now), now),
      );
      return { ...progress, mode };
    }),
  );
}

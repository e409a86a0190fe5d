import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mirrorPages as queryPages } from '../adapters/mirror-pages';
import { relationshipPartition } from '../adapters/mirror-relationships';
import { chunk } from '../core/chunk';
import { MIRROR_INDEXES } from '../infra/resources';
import type { Deployment } from './deployment';
import { aws, OpsError } from './errors';

export interface MirrorCount {
  items: number;
  tombstones?: number;
  /** Live relationships (in AWS: the byFromItem index's item count, which holds live links only). */
  relationships?: number;
  /** Relationships Jama no longer has (local only). */
  relationshipTombstones?: number;
  /** DynamoDB's own count (refreshed about every six hours) rather than an exact one. */
  approximate: boolean;
  /** The same, per environment (exact counts only: DynamoDB keeps no count per partition). */
  environments?: EnvironmentMirrorCount[];
}

/** One environment's partitions of the mirror: items and relationships, live and tombstoned. */
export interface EnvironmentMirrorCount {
  env: string;
  items: number;
  tombstones: number;
  relationships: number;
  relationshipTombstones: number;
}

function mirrorTable(d: Deployment): string {
  if (!d.tables.mirror) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `The ${d.label} has no mirror table (it forwards over HTTP only).`,
    );
  }
  return d.tables.mirror;
}

/**
 * Every page of a query of the mirror, one partition at a time: an environment's items (`env`) or
 * its relationships (`relationshipPartition(env)`).
 */
export async function* mirrorPages(
  d: Deployment,
  env: string,
  extra: Partial<QueryCommandInput> = {},
): AsyncGenerator<{ items: Record<string, unknown>[]; count: number; scanned: number }> {
  const table = mirrorTable(d);
  const pages = queryPages(DynamoDBDocumentClient.from(d.dynamodb), table, env, extra);
  while (true) {
    const next = await aws(`query the mirror table ${table}`, () => pages.next());
    if (next.done) return;
    const out = next.value;
    yield { items: out.Items ?? [], count: out.Count ?? 0, scanned: out.ScannedCount ?? 0 };
  }
}

/**
 * Rows in the mirror. Locally an exact count (tombstones apart); in AWS DynamoDB's item count,
 * which costs nothing but lags by up to six hours — counting a large table exactly reads all of it.
 */
export async function mirrorCount(d: Deployment): Promise<MirrorCount | undefined> {
  if (!d.tables.mirror) return undefined;
  if (d.kind === 'stack') {
    const table = d.tables.mirror;
    const out = await aws(`describe the table ${table}`, () =>
      d.dynamodb.send(new DescribeTableCommand({ TableName: table })),
    );
    const links = out.Table?.GlobalSecondaryIndexes?.find(
      (i) => i.IndexName === MIRROR_INDEXES.byFromItem.name,
    );
    const relationships = links?.ItemCount;
    // The table's count holds relationship rows too; the index's count is the live ones among them.
    const items = Math.max(0, (out.Table?.ItemCount ?? 0) - (relationships ?? 0));
    return { items, ...(relationships === undefined ? {} : { relationships }), approximate: true };
  }
  const filter = {
    Select: 'COUNT' as const,
    FilterExpression: 'deleted = :t',
    ExpressionAttributeValues: { ':t': true },
  };
  const environments: EnvironmentMirrorCount[] = [];
  for (const env of d.environments) {
    const count = { env, items: 0, tombstones: 0, relationships: 0, relationshipTombstones: 0 };
    for await (const page of mirrorPages(d, env, filter)) {
      count.items += page.scanned - page.count;
      count.tombstones += page.count;
    }
    for await (const page of mirrorPages(d, relationshipPartition(env), filter)) {
      count.relationships += page.scanned - page.count;
      count.relationshipTombstones += page.count;
    }
    environments.push(count);
  }
  const sum = (key: Exclude<keyof EnvironmentMirrorCount, 'env'>) =>
    environments.reduce((total, e) => total + e[key], 0);
  return {
    items: sum('items'),
    tombstones: sum('tombstones'),
    relationships: sum('relationships'),
    relationshipTombstones: sum('relationshipTombstones'),
    approximate: false,
    environments,
  };
}

/** Item ids of mirror rows with these document keys (tombstones excluded). */
export async function idsByDocumentKey(
  d: Deployment,
  env: string,
  keys: string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  // A filter's IN takes at most 100 values.
  for (const group of chunk([...new Set(keys)], 100)) {
    const wanted = Object.fromEntries(group.map((k, i) => [`:k${i}`, k]));
    const query = {
      ProjectionExpression: 'itemId, documentKey',
      FilterExpression: `documentKey IN (${Object.keys(wanted).join(', ')}) AND deleted = :f`,
      ExpressionAttributeValues: { ...wanted, ':f': false },
    };
    for await (const page of mirrorPages(d, env, query)) {
      for (const row of page.items) found.set(String(row.documentKey), Number(row.itemId));
    }
  }
  return found;
}

/** What a run left in the mirror: rows it wrote, of which tombstones, and (full runs) the items it saw. */
export interface RunMirrorCounts {
  /** Live rows written since the run started (new or changed items, and full runs' marks). */
  written: number;
  /** Rows turned into tombstones since the run started. */
  tombstoned: number;
  /** Full runs: rows marked as seen by this run, i.e. items read from Jama. */
  seen?: number;
}

/**
 * Counts a run's effect on the mirror of `env` by reading the environment's partition: rows
 * synced since `since`, and rows marked with the run's id. Reads the whole partition, so it is
 * for a finished run and a mirror of operator-command size.
 */
export async function runMirrorCounts(
  d: Deployment,
  env: string,
  summary: { runId: string; mode: string },
  since: number,
): Promise<RunMirrorCounts> {
  const counts: RunMirrorCounts = {
    written: 0,
    tombstoned: 0,
    ...(summary.mode === 'full' ? { seen: 0 } : {}),
  };
  const projection = { ProjectionExpression: 'deleted, syncedAt, lastSeenRun' };
  for await (const page of mirrorPages(d, env, projection)) {
    for (const row of page.items) {
      if (Number(row.syncedAt) >= since) {
        if (row.deleted) counts.tombstoned++;
        else counts.written++;
      }
      if (counts.seen !== undefined && row.lastSeenRun === summary.runId) counts.seen++;
    }
  }
  return counts;
}

import type { DynamoDBDocumentClient, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReadableValues } from '../core/reference/readable';

/** One row of the mirror table (key: env + itemId). */
export interface MirrorRow {
  env: string;
  itemId: number;
  documentKey?: string;
  /** The item's project (absent on tombstones); the full sweep selects a project's rows by it. */
  projectId?: number;
  /** Run id of the last full reconciliation that saw the item (mark-and-sweep). */
  lastSeenRun?: string;
  /** Monotonic version: the item's modifiedDate, or the deletion time of a tombstone (epoch ms). */
  version: number;
  /** When Jama was seen to hold the item (or confirmed it gone): decides between a tombstone and a live row. */
  observedAt?: number;
  /** Paths of `item` values cut to fit DynamoDB's 400 KB item limit (the item is also quarantined). */
  truncated?: string[];
  modifiedDate?: string;
  deleted: boolean;
  item?: Record<string, unknown>;
  /** Names beside the item's ids (item type, project key, users, pick-list options). */
  readable?: ReadableValues;
  /** Jama's id of the user who made the last modification. */
  modifiedBy?: number;
  /** True when that user is the integration itself (a write-back). */
  bySync?: boolean;
  syncedAt: number;
}

/**
 * Every page of one environment's partition of the mirror table, following `LastEvaluatedKey`;
 * `extra` adds filters or projections. The one place that pages the mirror (sweeps, export,
 * the local runtime's summary).
 */
export async function* mirrorPages(
  doc: DynamoDBDocumentClient,
  tableName: string,
  env: string,
  extra: Partial<QueryCommandInput> = {},
): AsyncGenerator<QueryCommandOutput> {
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#env = :env',
        ...extra,
        ExpressionAttributeNames: { '#env': 'env', ...extra.ExpressionAttributeNames },
        ExpressionAttributeValues: { ':env': env, ...extra.ExpressionAttributeValues },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    yield out;
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Every row of one environment in the mirror, by item id. */
export async function readMirror(
  doc: DynamoDBDocumentClient,
  tableName: string,
  env: string,
): Promise<Map<number, MirrorRow>> {
  const rows = new Map<number, MirrorRow>();
  for await (const page of mirrorPages(doc, tableName, env)) {
    for (const row of page.Items ?? []) rows.set(Number(row.itemId), row as MirrorRow);
  }
  return rows;
}

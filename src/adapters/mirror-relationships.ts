import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type {
  PreviousRelationship,
  RelationshipRecord,
  RelationshipWriteResult,
} from '../core/relationships/records';
import type { JamaRelationship } from '../core/relationships/types';
import { MIRROR_INDEXES } from '../infra/resources';
import { mirrorPages } from './mirror-pages';

/**
 * Relationship rows live in the mirror table beside item rows, in a partition of their own per
 * environment (`<env>#relationships`; environment names cannot hold `#`), so every item query of
 * the table is unchanged. The sort key `itemId` holds the relationship id. Live rows carry
 * `fromKey`/`toKey` (`<env>#<itemId>`), the partition keys of the `byFromItem`/`byToItem` indexes;
 * tombstones drop them, so the indexes list live links only.
 */
export function relationshipPartition(env: string): string {
  return `${env}#relationships`;
}

/** One relationship row of the mirror table. */
export interface RelationshipRow {
  env: string;
  itemId: number;
  kind: 'relationship';
  relationshipId: number;
  projectId?: number;
  fromItem?: number;
  toItem?: number;
  relationshipType?: number;
  relationshipTypeName?: string;
  suspect?: boolean;
  fromKey?: string;
  toKey?: string;
  lastSeenRun?: string;
  /** The read time of a live row, the deletion time of a tombstone (epoch ms). */
  version: number;
  deleted: boolean;
  syncedAt: number;
}

/** The row for a record. */
export function relationshipRow(env: string, record: RelationshipRecord, syncedAt: number): RelationshipRow {
  const key = {
    env: relationshipPartition(env),
    itemId: record.relationshipId,
    kind: 'relationship' as const,
  };
  const projectId = record.projectId === undefined ? {} : { projectId: record.projectId };
  if (record.kind === 'relationship-tombstone') {
    return {
      ...key,
      relationshipId: record.relationshipId,
      ...projectId,
      version: record.deletedAt,
      deleted: true,
      syncedAt,
    };
  }
  const r = record.relationship;
  return {
    ...key,
    relationshipId: r.id,
    ...projectId,
    fromItem: r.fromItem,
    toItem: r.toItem,
    relationshipType: r.relationshipType,
    ...(record.relationshipTypeName === undefined
      ? {}
      : { relationshipTypeName: record.relationshipTypeName }),
    suspect: r.suspect === true,
    fromKey: `${env}#${r.fromItem}`,
    toKey: `${env}#${r.toItem}`,
    ...(record.seenRun ? { lastSeenRun: record.seenRun } : {}),
    version: record.observedAt,
    deleted: false,
    syncedAt,
  };
}

/** The relationship as a row holds it (undefined for a tombstone). */
export function relationshipOf(row: Partial<RelationshipRow>): JamaRelationship | undefined {
  if (
    row.deleted ||
    row.fromItem === undefined ||
    row.toItem === undefined ||
    row.relationshipId === undefined
  )
    return undefined;
  return {
    id: row.relationshipId,
    fromItem: row.fromItem,
    toItem: row.toItem,
    relationshipType: row.relationshipType ?? 0,
    suspect: row.suspect === true,
  };
}

/**
 * Writes a relationship row with one conditional PutItem (absent or not newer); with
 * `returnPrevious`, also the row it replaced, so change events can say what changed.
 */
export async function putRelationship(
  doc: DynamoDBDocumentClient,
  tableName: string,
  env: string,
  record: RelationshipRecord,
  now: number,
  returnPrevious = false,
): Promise<RelationshipWriteResult> {
  const row = relationshipRow(env, record, now);
  try {
    const out = await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: row,
        ConditionExpression: 'attribute_not_exists(itemId) OR version <= :v',
        ExpressionAttributeValues: { ':v': row.version },
        ...(returnPrevious ? { ReturnValues: 'ALL_OLD' as const } : {}),
      }),
    );
    const old = out.Attributes as Partial<RelationshipRow> | undefined;
    const previous: PreviousRelationship | undefined = old && {
      deleted: old.deleted === true,
      ...(relationshipOf(old) ? { relationship: relationshipOf(old) as JamaRelationship } : {}),
      ...(old.relationshipTypeName ? { relationshipTypeName: old.relationshipTypeName } : {}),
    };
    return { relationshipId: record.relationshipId, status: 'written', previous };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      return { relationshipId: record.relationshipId, status: 'stale' };
    return { relationshipId: record.relationshipId, status: 'failed', error: error as Error };
  }
}

/** Live relationship rows of a project not marked by `runId` (a full run's sweep). */
export async function* unseenRelationshipIds(
  doc: DynamoDBDocumentClient,
  tableName: string,
  env: string,
  projectId: number,
  runId: string,
): AsyncGenerator<number> {
  const pages = mirrorPages(doc, tableName, relationshipPartition(env), {
    FilterExpression:
      'deleted = :f AND projectId = :p AND (attribute_not_exists(lastSeenRun) OR lastSeenRun <> :r)',
    ProjectionExpression: 'itemId',
    ExpressionAttributeValues: { ':f': false, ':p': projectId, ':r': runId },
  });
  for await (const page of pages) for (const row of page.Items ?? []) yield Number(row.itemId);
}

/** Every live relationship row of an environment, by relationship id. */
export async function readMirrorRelationships(
  doc: DynamoDBDocumentClient,
  tableName: string,
  env: string,
): Promise<Map<number, RelationshipRow>> {
  const rows = new Map<number, RelationshipRow>();
  for await (const page of mirrorPages(doc, tableName, relationshipPartition(env))) {
    for (const row of page.Items ?? [])
      if (!row.deleted) rows.set(Number(row.itemId), row as RelationshipRow);
  }
  return rows;
}

/**
 * Live relationships that start (`from`) or end (`to`) at an item, through the table's
 * `byFromItem` / `byToItem` index: "what verifies this requirement?" is one query.
 */
export async function relationshipsOfItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  env: string,
  itemId: number,
  end: 'from' | 'to',
): Promise<RelationshipRow[]> {
  const index = end === 'from' ? MIRROR_INDEXES.byFromItem : MIRROR_INDEXES.byToItem;
  const rows: RelationshipRow[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': index.partitionKey.name },
        ExpressionAttributeValues: { ':k': `${env}#${itemId}` },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    rows.push(...((out.Items ?? []) as RelationshipRow[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

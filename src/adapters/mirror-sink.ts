import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { chunk } from '../core/chunk';
import type { JamaItem } from '../core/jama-types';
import type { IndexEntry, ItemIndex, Sink, SinkRecord, SinkWriteResult } from '../core/ports/sink';
import type {
  ItemProjects,
  RelationshipRecord,
  RelationshipSink,
  RelationshipSweepSource,
  RelationshipWriteResult,
} from '../core/relationships/records';
import { fitItem } from './mirror-fit';
import type { MirrorRow } from './mirror-pages';
import { putRelationship, unseenRelationshipIds } from './mirror-relationships';

export type { MirrorRow } from './mirror-pages';

/**
 * When a write lands. Within a kind, the newer version wins (an older modifiedDate never replaces
 * a newer one). Across kinds, what was observed last wins: a sighting of the item alive replaces a
 * tombstone confirmed before it (and any tombstone never confirmed), and a confirmed tombstone
 * replaces a row read before the confirmation — so a tombstone never outranks a later sighting,
 * whatever date a sender gave the deletion. Writes that carry no observation time compare versions.
 */
function condition(kind: SinkRecord['kind'], observed: boolean): string {
  const same = kind === 'item' ? 'deleted <> :t' : 'deleted = :t';
  const other = kind === 'item' ? 'deleted = :t' : 'deleted <> :t';
  // Written without parentheses (AND binds tighter than OR; `X AND (A OR B)` as `X AND A OR X AND B`):
  // the same condition, and the local DynamoDB stand-in parses nested parentheses about eight times slower.
  const across = !observed
    ? [`${other} AND version <= :v`]
    : kind === 'item'
      ? [`${other} AND attribute_not_exists(observedAt)`, `${other} AND observedAt < :o`]
      : [`${other} AND observedAt <= :o`, `${other} AND attribute_not_exists(observedAt) AND version <= :v`];
  return ['attribute_not_exists(itemId)', `${same} AND version <= :v`, ...across].join(' OR ');
}

/**
 * The default sink: a DynamoDB table holding the latest state of every item. Each write is one
 * conditional PutItem that only lands if the row is absent or not newer, so an older modifiedDate
 * never replaces a newer one, whatever order at-least-once delivery brings. Deletes become
 * tombstones (`deleted: true`), which also stop a late, stale read from resurrecting the item.
 */
export class DynamoDbMirror
  implements Sink, ItemIndex, RelationshipSink, ItemProjects, RelationshipSweepSource
{
  readonly name = 'mirror';
  private readonly doc: DynamoDBDocumentClient;

  /**
   * @param returnPrevious Return the row each write replaced (`ReturnValues: ALL_OLD`), for change
   * events; off by default, since the old row travels back over the network. @default false
   */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
    private readonly returnPrevious = false,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async write(env: string, records: SinkRecord[]): Promise<SinkWriteResult[]> {
    return Promise.all(records.map((record) => this.put(env, record)));
  }

  private async put(env: string, record: SinkRecord): Promise<SinkWriteResult> {
    // Over DynamoDB's item limit: store it with its longest values truncated and say so, rather than not at all.
    const fitted = record.kind === 'item' ? fitItem(record.item) : undefined;
    const row: MirrorRow =
      record.kind === 'item'
        ? {
            env,
            itemId: record.itemId,
            documentKey: record.documentKey,
            projectId: record.item.project,
            // Same-version rewrites pass the `version <= :v` condition, so a full run always marks.
            ...(record.seenRun ? { lastSeenRun: record.seenRun } : {}),
            version: record.modifiedAt,
            ...(record.observedAt === undefined ? {} : { observedAt: record.observedAt }),
            modifiedDate: record.item.modifiedDate,
            deleted: false,
            item: fitted?.item ?? record.item,
            ...(fitted?.truncated.length ? { truncated: fitted.truncated } : {}),
            ...(record.readable ? { readable: record.readable } : {}),
            ...(record.modifiedBy === undefined ? {} : { modifiedBy: record.modifiedBy }),
            ...(record.bySync === undefined ? {} : { bySync: record.bySync }),
            syncedAt: this.now(),
          }
        : {
            env,
            itemId: record.itemId,
            ...(record.documentKey ? { documentKey: record.documentKey } : {}),
            version: record.deletedAt,
            ...(record.observedAt === undefined ? {} : { observedAt: record.observedAt }),
            deleted: true,
            syncedAt: this.now(),
          };
    try {
      const out = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: row,
          ConditionExpression: condition(record.kind, row.observedAt !== undefined),
          ExpressionAttributeValues: {
            ':v': row.version,
            ':t': true,
            ...(row.observedAt === undefined ? {} : { ':o': row.observedAt }),
          },
          ...(this.returnPrevious ? { ReturnValues: 'ALL_OLD' as const } : {}),
        }),
      );
      const old = out.Attributes as Partial<MirrorRow> | undefined;
      const previous = old && {
        deleted: old.deleted === true,
        ...(old.item ? { item: old.item as unknown as JamaItem } : {}),
      };
      if (!fitted?.truncated.length) return { itemId: record.itemId, status: 'written', previous };
      const kb = (n: number) => `${Math.round(n / 1024)} KB`;
      const altered =
        `stored it truncated (${fitted.truncated.join(', ')} cut; ${kb(fitted.bytes.before)} → ${kb(fitted.bytes.after)}): ` +
        "it is over DynamoDB's 400 KB item limit";
      return { itemId: record.itemId, status: 'written', previous, altered };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { itemId: record.itemId, status: 'stale' };
      return { itemId: record.itemId, status: 'failed', error: error as Error };
    }
  }

  /** Relationship rows (src/adapters/mirror-relationships.ts), each with the row it replaced. */
  async writeRelationships(env: string, records: RelationshipRecord[]): Promise<RelationshipWriteResult[]> {
    return Promise.all(
      records.map((r) => putRelationship(this.doc, this.tableName, env, r, this.now(), this.returnPrevious)),
    );
  }

  unseenRelationships(env: string, projectId: number, runId: string): AsyncIterable<number> {
    return unseenRelationshipIds(this.doc, this.tableName, env, projectId, runId);
  }

  async documentKeys(env: string, itemIds: number[]): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    for (const [itemId, entry] of await this.lookup(env, itemIds))
      if (!entry.deleted && entry.documentKey) found.set(itemId, entry.documentKey);
    return found;
  }

  async lookup(env: string, itemIds: number[]): Promise<Map<number, IndexEntry>> {
    const found = new Map<number, IndexEntry>();
    for (const row of await this.rows(env, itemIds, 'itemId, documentKey, deleted')) {
      const documentKey = typeof row.documentKey === 'string' ? row.documentKey : undefined;
      found.set(Number(row.itemId), {
        deleted: row.deleted === true,
        ...(documentKey ? { documentKey } : {}),
      });
    }
    return found;
  }

  async projectIds(env: string, itemIds: number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    for (const row of await this.rows(env, itemIds, 'itemId, projectId')) {
      if (typeof row.projectId === 'number') found.set(Number(row.itemId), row.projectId);
    }
    return found;
  }

  /** Item rows by id, 100 per BatchGetItem, unprocessed keys retried a few times. */
  private async rows(env: string, itemIds: number[], projection: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (const ids of chunk([...new Set(itemIds)], 100)) {
      let keys: Record<string, unknown>[] | undefined = ids.map((itemId) => ({ env, itemId }));
      for (let attempt = 0; keys?.length && attempt < 5; attempt++) {
        const out: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: projection } },
          }),
        );
        rows.push(...(out.Responses?.[this.tableName] ?? []));
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return rows;
  }
}

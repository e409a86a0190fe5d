import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ReferenceStore } from '../core/ports/reference-data';
import type { CachedList } from '../core/reference/model';

/** The key of an environment's cached reference lists in the state table. */
export function referenceKey(env: string): string {
  return `ref#${env}`;
}

/** How long one read of an environment's lists answers the look-ups that follow it (ms). */
const READ_REUSE_MS = 2000;

/**
 * {@link ReferenceStore} on the state table: one item `ref#<env>` per environment holding every
 * list as gzipped JSON (`l:<list>`) with its read time (`t:<list>`), so a cold Lambda gets all of
 * an environment's reference data with one GetItem; `expiresAt` (epoch seconds, DynamoDB TTL) moves
 * with the newest list. Lists are written one attribute at a time, so Lambdas refreshing different
 * lists never overwrite each other. Every Lambda of the deployment reads the same copy.
 */
export class DynamoDbReferenceStore implements ReferenceStore {
  private readonly recent = new Map<string, { at: number; item: Promise<Record<string, AttributeValue>> }>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(env: string, list: string): Promise<CachedList | undefined> {
    const item = await this.read(env);
    const data = item[`l:${list}`]?.B;
    const fetchedAt = Number(item[`t:${list}`]?.N);
    if (!data || !Number.isFinite(fetchedAt)) return undefined;
    const entries = JSON.parse(gunzipSync(data).toString('utf8')) as unknown;
    return Array.isArray(entries) ? { fetchedAt, entries } : undefined;
  }

  async put(env: string, list: string, value: CachedList, expiresAt: number): Promise<void> {
    this.recent.delete(env);
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: referenceKey(env) } },
        UpdateExpression: 'SET #l = :l, #t = :t, expiresAt = :e',
        ExpressionAttributeNames: { '#l': `l:${list}`, '#t': `t:${list}` },
        ExpressionAttributeValues: {
          ':l': { B: gzipSync(JSON.stringify(value.entries)) },
          ':t': { N: String(value.fetchedAt) },
          ':e': { N: String(Math.ceil(expiresAt / 1000)) },
        },
      }),
    );
  }

  /** The environment's item, read once for look-ups arriving together (a cold page asks for several lists). */
  private read(env: string): Promise<Record<string, AttributeValue>> {
    const hit = this.recent.get(env);
    if (hit && this.now() - hit.at < READ_REUSE_MS) return hit.item;
    const item = this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: referenceKey(env) } } }))
      .then((out) => out.Item ?? {});
    this.recent.set(env, { at: this.now(), item });
    item.catch(() => this.recent.delete(env));
    return item;
  }
}

import { gunzipSync, gzipSync } from 'node:zlib';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CachedList, ReferenceStore } from '../core/reference/model';

/** The key of a cached reference list in the state table. */
export function referenceKey(env: string, list: string): string {
  return `ref#${env}#${list}`;
}

/**
 * {@link ReferenceStore} on the state table: one item `ref#<env>#<list>` per list, its entries as
 * gzipped JSON (a few thousand users fit DynamoDB's 400 KB item limit), `fetchedAt` (epoch ms) and
 * `expiresAt` (epoch seconds, DynamoDB TTL). Every Lambda of the deployment reads the same copy.
 */
export class DynamoDbReferenceStore implements ReferenceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(env: string, list: string): Promise<CachedList | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: referenceKey(env, list) } },
        ConsistentRead: true,
      }),
    );
    const data = out.Item?.data?.B;
    const fetchedAt = Number(out.Item?.fetchedAt?.N);
    if (!data || !Number.isFinite(fetchedAt)) return undefined;
    const entries = JSON.parse(gunzipSync(data).toString('utf8')) as unknown;
    return Array.isArray(entries) ? { fetchedAt, entries } : undefined;
  }

  async put(env: string, list: string, value: CachedList, expiresAt: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: referenceKey(env, list) },
          fetchedAt: { N: String(value.fetchedAt) },
          expiresAt: { N: String(Math.ceil(expiresAt / 1000)) },
          data: { B: gzipSync(JSON.stringify(value.entries)) },
        },
      }),
    );
  }
}

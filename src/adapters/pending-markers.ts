import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { chunk } from '../core/chunk';
import { type Clock, systemClock } from '../core/clock';
import { StoreError } from '../core/errors';
import { mapPool } from '../core/pool';
import type { ClaimResult, PendingMarkers } from '../core/ports/pending-markers';
import { conditional } from './conditional';

export interface DynamoDbPendingMarkersOptions {
  /** A low-level client, built once per container. */
  client: DynamoDBClient;
  /** The `state` table (partition key `pk`, TTL attribute `expiresAt`). */
  tableName: string;
  /** @default systemClock */
  clock?: Clock;
  /**
   * How long a marker lives if no worker clears it. Past it, the next event queues a new pull, so a
   * lost pull costs at most this much delay. @default 900
   */
  ttlSeconds?: number;
  /** Conditional writes in flight at once during a claim. @default 16 */
  concurrency?: number;
  /** BatchWriteItem attempts for unprocessed deletes before a release rejects. @default 6 */
  maxAttempts?: number;
}

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE = 25;

/** The key of an item's marker in the state table. */
export function pendingKey(env: string, itemId: number): string {
  return `pending#${env}#${itemId}`;
}

/**
 * {@link PendingMarkers} on the state table: one item `pending#<env>#<itemId>` with `expiresAt`
 * (epoch seconds, DynamoDB TTL). A claim is a conditional PutItem that also succeeds over an
 * expired marker, because DynamoDB deletes expired items lazily (and dynalite not at all).
 */
export class DynamoDbPendingMarkers implements PendingMarkers {
  private readonly clock: Clock;
  private readonly ttlSeconds: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: DynamoDbPendingMarkersOptions) {
    this.clock = options.clock ?? systemClock;
    this.ttlSeconds = options.ttlSeconds ?? 900;
    this.concurrency = options.concurrency ?? 16;
    this.maxAttempts = options.maxAttempts ?? 6;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) {
      throw new TypeError(`Expected \`ttlSeconds\` to be an integer ≥ 1, got \`${this.ttlSeconds}\``);
    }
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be an integer ≥ 1, got \`${this.concurrency}\``);
    }
  }

  async claim(env: string, itemIds: readonly number[]): Promise<ClaimResult> {
    const ids = [...new Set(itemIds)];
    const result: ClaimResult = { claimed: [], pending: [] };
    await mapPool(ids, this.concurrency, async (itemId) => {
      if (await this.put(env, itemId)) result.claimed.push(itemId);
      else result.pending.push(itemId);
    }).catch((error: unknown) => {
      result.error = error;
    });
    return result;
  }

  /** True if this call created the marker; false if a live one was there. */
  private async put(env: string, itemId: number): Promise<boolean> {
    const now = Math.floor(this.clock.now() / 1000);
    return conditional(() =>
      this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            pk: { S: pendingKey(env, itemId) },
            expiresAt: { N: String(now + this.ttlSeconds) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      ),
    );
  }

  async release(env: string, itemIds: readonly number[]): Promise<void> {
    const keys = [...new Set(itemIds)].map((itemId) => pendingKey(env, itemId));
    for (const group of chunk(keys, BATCH_WRITE)) {
      let requests: WriteRequest[] = group.map((pk) => ({ DeleteRequest: { Key: { pk: { S: pk } } } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === this.maxAttempts) {
          throw new StoreError(
            `DynamoDB left ${requests.length} pending-pull marker(s) undeleted after ${attempt} attempts`,
          );
        }
        if (attempt > 0) await this.clock.sleep(25 * 2 ** attempt);
        const out = await this.options.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.options.tableName]: requests } }),
        );
        requests = out.UnprocessedItems?.[this.options.tableName] ?? [];
      }
    }
  }
}

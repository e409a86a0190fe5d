import { createHash } from 'node:crypto';
import { BatchWriteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { StoreError } from '../core/errors';
import type { ReplayGuard } from '../core/ports/replay-guard';
import { conditional } from './conditional';

/** The key of an accepted request's nonce in the state table (the signature is hashed to keep it short). */
export function nonceKey(source: string, signature: string): string {
  return `nonce#${source}#${createHash('sha256').update(signature).digest('base64url')}`;
}

/**
 * {@link ReplayGuard} on the state table: one item `nonce#<source>#<hash of the signature>` per
 * accepted request, put with a condition (absent, or expired but not yet removed by TTL) and
 * `expiresAt` (epoch seconds, DynamoDB TTL) at the end of the request's replay window. Forgetting
 * uses BatchWriteItem, the one delete the webhook's role may already make on its keys.
 */
export class DynamoDbReplayGuard implements ReplayGuard {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async remember(source: string, signature: string, expiresAt: number, now: number): Promise<boolean> {
    return conditional(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: nonceKey(source, signature) },
            expiresAt: { N: String(Math.ceil(expiresAt / 1000)) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) } },
        }),
      ),
    );
  }

  async forget(source: string, signature: string): Promise<void> {
    const out = await this.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [this.tableName]: [{ DeleteRequest: { Key: { pk: { S: nonceKey(source, signature) } } } }],
        },
      }),
    );
    if (out.UnprocessedItems?.[this.tableName]?.length) {
      throw new StoreError('DynamoDB left the request nonce undeleted; a retry of this request will get 409');
    }
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BreakerRecord, BreakerStore } from '../core/ports/breaker-store';
import { conditional } from './conditional';

/** The key of an environment's breaker in the state table. */
export function breakerKey(env: string): string {
  return `breaker#${env}`;
}

/**
 * {@link BreakerStore} on the state table: one item `breaker#<env>` that exists only while the
 * breaker is open (or half-open). Reads are eventually consistent: a worker that learns of an
 * outage a second late spends at most one more failed call.
 */
export class DynamoDbBreakerStore implements BreakerStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async read(env: string): Promise<BreakerRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: breakerKey(env) } }),
    );
    if (!out.Item) return undefined;
    const { openUntil, opened, probeUntil, reason } = out.Item;
    return {
      openUntil: Number(openUntil),
      opened: Number(opened),
      ...(probeUntil === undefined ? {} : { probeUntil: Number(probeUntil) }),
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  }

  async open(env: string, record: BreakerRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: breakerKey(env), ...record, probeUntil: 0 } }),
    );
  }

  async close(env: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: breakerKey(env) } }));
  }

  async claimProbe(env: string, until: number, now: number): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: breakerKey(env) },
          UpdateExpression: 'SET probeUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(probeUntil) OR probeUntil < :now)',
          ExpressionAttributeValues: { ':until': until, ':now': now },
        }),
      ),
    );
  }
}

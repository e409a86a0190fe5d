import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chunk } from '../core/chunk';
import type { Clock } from '../core/clock';
import { StoreError } from '../core/errors';
import type { Quarantine, QuarantinedItem } from '../core/ports/quarantine';
import { REASON_ATTRIBUTE } from './sqs-record-actions';

/** The key of an environment's quarantine counter in the state table. */
export function quarantineKey(env: string): string {
  return `quarantine#${env}`;
}

/** How many items an environment has quarantined, and the latest reason. */
export interface QuarantineCount {
  count: number;
  lastReason?: string;
  lastAt?: number;
}

/**
 * Quarantines items as dead letters: each is one message on the dead-letter queue whose body is a
 * `pull` job for the item (so `dlq redrive` re-reads it once it is fixed in Jama) and whose
 * `jama-sync-reason` attribute says why. A counter `quarantine#<env>` in the state table feeds
 * `status`; the worker publishes `items_quarantined` for the dashboard's alarm.
 */
export class SqsQuarantine implements Quarantine {
  private readonly doc: DynamoDBDocumentClient;
  /** Items quarantined since {@link SqsQuarantine.drainCount} was last called (for metrics). */
  private pending = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly deadLetterQueueUrl: string,
    dynamodb: DynamoDBClient,
    private readonly stateTable: string,
    private readonly clock: Clock,
  ) {
    this.doc = DynamoDBDocumentClient.from(dynamodb);
  }

  async put(items: readonly QuarantinedItem[]): Promise<void> {
    for (const group of chunk([...items], 10)) {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.deadLetterQueueUrl,
          Entries: group.map((item, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(bodyOf(item)),
            MessageAttributes: {
              [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: item.reason.slice(0, 1000) },
            },
          })),
        }),
      );
      if (out.Failed?.length)
        throw new StoreError(`the dead-letter queue refused ${out.Failed.length} quarantined items`);
    }
    const byEnv = new Map<string, QuarantinedItem[]>();
    for (const item of items) byEnv.set(item.env, [...(byEnv.get(item.env) ?? []), item]);
    for (const [env, list] of byEnv) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.stateTable,
          Key: { pk: quarantineKey(env) },
          UpdateExpression: 'ADD #count :n SET lastReason = :r, lastAt = :at',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':n': list.length,
            ':r': (list.at(-1) as QuarantinedItem).reason.slice(0, 500),
            ':at': this.clock.now(),
          },
        }),
      );
    }
    this.pending += items.length;
  }

  /** Items quarantined since the last call. */
  drainCount(): number {
    const n = this.pending;
    this.pending = 0;
    return n;
  }
}

/** How many items an environment has quarantined so far (the `status` command shows it). */
export async function readQuarantineCount(
  dynamodb: DynamoDBClient,
  stateTable: string,
  env: string,
): Promise<QuarantineCount> {
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const out = await doc.send(new GetCommand({ TableName: stateTable, Key: { pk: quarantineKey(env) } }));
  const item = out.Item ?? {};
  return {
    count: Number(item.count ?? 0),
    ...(typeof item.lastReason === 'string' ? { lastReason: item.lastReason } : {}),
    ...(typeof item.lastAt === 'number' ? { lastAt: item.lastAt } : {}),
  };
}

/** A pull job for the item, so a redrive re-reads it; an entry without an id keeps what is known. */
function bodyOf(item: QuarantinedItem): Record<string, unknown> {
  const known = {
    ...(item.projectId === undefined ? {} : { projectId: item.projectId }),
    ...(item.documentKey === undefined ? {} : { documentKey: item.documentKey }),
  };
  return item.itemId === undefined
    ? { v: 1, env: item.env, kind: 'quarantined', ...known }
    : { v: 1, env: item.env, kind: 'pull', itemId: item.itemId, ...known };
}

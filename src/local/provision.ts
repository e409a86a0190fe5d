import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { localName, QUEUES, type QueueKey, TABLES, type TableKey, type TableSpec } from '../infra/resources';
import { OpsError } from '../ops/errors';

/** Physical names and URLs of a provisioned local deployment. */
export interface LocalResources {
  tables: Record<TableKey, string>;
  queues: Record<QueueKey, { url: string; arn: string }>;
}

type Key = { name: string; type: 'S' | 'N' };

function keysOf(spec: { partitionKey: Key; sortKey?: Key }) {
  const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
  return keys.map((k, i) => ({
    AttributeName: k.name,
    KeyType: i === 0 ? ('HASH' as const) : ('RANGE' as const),
  }));
}

function keySchema(spec: TableSpec) {
  const indexes = spec.globalIndexes ?? [];
  const attributes = new Map<string, 'S' | 'N'>();
  for (const k of [spec.partitionKey, spec.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])])
    if (k) attributes.set(k.name, k.type);
  return {
    KeySchema: keysOf(spec),
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...(indexes.length
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keysOf(index),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

async function ensureTable(ddb: DynamoDBClient, name: string, spec: TableSpec): Promise<void> {
  try {
    await ddb.send(
      new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', ...keySchema(spec) }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  if (spec.ttlAttribute) {
    try {
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
        }),
      );
    } catch {
      // dynalite has no TTL API; readers treat expired items as absent anyway, since even real
      // DynamoDB deletes expired items lazily (up to days later).
    }
  }
}

async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new OpsError('OPERATION_FAILED', `CreateQueue returned no URL for ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new OpsError('OPERATION_FAILED', `GetQueueAttributes returned no ARN for ${name}`);
  return { url: QueueUrl, arn };
}

/**
 * Creates (or finds) the tables and queues of {@link TABLES} and {@link QUEUES} under `prefix`,
 * dead-letter queues first so redrive policies can name them. Idempotent.
 */
export async function provisionLocal(
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient },
  prefix = 'jama-sync',
): Promise<LocalResources> {
  const tables = {} as Record<TableKey, string>;
  for (const key of Object.keys(TABLES) as TableKey[]) {
    tables[key] = localName(prefix, TABLES[key]);
    await ensureTable(clients.dynamodb, tables[key], TABLES[key]);
  }
  const queues = {} as Record<QueueKey, { url: string; arn: string }>;
  const ordered = (Object.keys(QUEUES) as QueueKey[]).sort(
    (a, b) => Number('deadLetter' in QUEUES[a]) - Number('deadLetter' in QUEUES[b]),
  );
  for (const key of ordered) {
    const spec = QUEUES[key];
    const attributes: Record<string, string> = {
      VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(spec.retentionSeconds),
    };
    if ('deadLetter' in spec) {
      const dlq = queues[spec.deadLetter.queue];
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: spec.deadLetter.maxReceiveCount,
      });
    }
    queues[key] = await ensureQueue(clients.sqs, localName(prefix, spec), attributes);
  }
  return { tables, queues };
}

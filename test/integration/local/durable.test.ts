import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { clientConfig, type EmbeddedAws, startEmbeddedAws } from '../../../src/local/embedded-aws';
import { provisionLocal } from '../../../src/local/provision';

describe('embedded AWS stand-ins with a data directory', () => {
  let dir: string;
  let aws: EmbeddedAws | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jama-sync-durable-'));
  });
  afterAll(async () => {
    await aws?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps tables, rows, queues and unacknowledged messages across a restart, on the same ports', async () => {
    aws = await startEmbeddedAws({ dataDir: dir });
    const first = { dynamodb: aws.dynamodb, sqs: aws.sqs };
    let ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
    let sqs = new SQSClient(clientConfig(aws, 'sqs'));
    let resources = await provisionLocal({ dynamodb: ddb, sqs }, 'durable');
    await DynamoDBDocumentClient.from(ddb).send(
      new PutCommand({ TableName: resources.tables.state, Item: { pk: 'kept', n: 1 } }),
    );
    for (let i = 0; i < 300; i++)
      await sqs.send(
        new SendMessageCommand({ QueueUrl: resources.queues.jobs.url, MessageBody: `job ${i}` }),
      );
    ddb.destroy();
    sqs.destroy();
    await aws.stop();

    aws = await startEmbeddedAws({ dataDir: dir });
    expect({ dynamodb: aws.dynamodb, sqs: aws.sqs }).toEqual(first);
    ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
    sqs = new SQSClient(clientConfig(aws, 'sqs'));
    resources = await provisionLocal({ dynamodb: ddb, sqs }, 'durable');
    const row = await DynamoDBDocumentClient.from(ddb).send(
      new GetCommand({ TableName: resources.tables.state, Key: { pk: 'kept' } }),
    );
    expect(row.Item).toEqual({ pk: 'kept', n: 1 });
    const bodies = new Set<string>();
    for (let empty = 0; empty < 2; ) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: resources.queues.jobs.url, MaxNumberOfMessages: 10 }),
      );
      if (!out.Messages?.length) empty++;
      for (const m of out.Messages ?? []) bodies.add(m.Body as string);
    }
    expect(bodies.size).toBe(300);
    ddb.destroy();
    sqs.destroy();
  });
});

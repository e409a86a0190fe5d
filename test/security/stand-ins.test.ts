import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  clientConfig,
  type EmbeddedAws,
  LOCAL_CREDENTIALS,
  runCredentials,
  startEmbeddedAws,
} from '../../src/local/embedded-aws';
import { provisionLocal } from '../../src/local/provision';

describe('the embedded AWS stand-ins', () => {
  let aws: EmbeddedAws;
  beforeAll(async () => {
    aws = await startEmbeddedAws();
  });
  afterAll(() => aws.stop());

  it('generate credentials for each run', () => {
    expect(aws.credentials.accessKeyId).toMatch(/^AKJS[0-9A-F]{32}$/);
    expect(aws.credentials).not.toEqual(LOCAL_CREDENTIALS);
  });

  it.each([
    ['the fixed local credentials', LOCAL_CREDENTIALS],
    ['another run’s credentials', runCredentials()],
  ])('refuse a job injected into SQS and a read of DynamoDB signed with %s', async (_, credentials) => {
    const owner = {
      sqs: new SQSClient(clientConfig(aws, 'sqs')),
      dynamodb: new DynamoDBClient(clientConfig(aws, 'dynamodb')),
    };
    const { queues } = await provisionLocal(owner, `guard${Date.now()}`);
    const intruder = { ...clientConfig(aws, 'sqs'), credentials, maxAttempts: 1 };
    const sqs = new SQSClient(intruder);
    const dynamodb = new DynamoDBClient({ ...clientConfig(aws, 'dynamodb'), credentials, maxAttempts: 1 });
    const push = JSON.stringify({
      v: 1,
      env: 'default',
      kind: 'push',
      itemId: 1,
      ops: [{ op: 'replace', path: '/fields/name', value: 'x' }],
    });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queues.jobs.url, MessageBody: push })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    await expect(dynamodb.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    // The owner, with this run's credentials, is served.
    await expect(
      owner.sqs.send(new SendMessageCommand({ QueueUrl: queues.jobs.url, MessageBody: push })),
    ).resolves.toMatchObject({
      MessageId: expect.any(String),
    });
    for (const c of [sqs, dynamodb, owner.sqs, owner.dynamodb]) c.destroy();
  });

  it('refuse unsigned requests', async () => {
    const res = await fetch(aws.sqs, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });
});

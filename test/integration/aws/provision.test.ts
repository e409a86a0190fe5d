import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { localName, QUEUES, TABLES } from '../../../src/infra/resources';
import { provisionLocal } from '../../../src/local/provision';
import { loopbackOnly, type TestAws, testAws } from '../../support/aws';

describe('provisioning from the shared resource definitions', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await testAws('provision');
  });
  afterAll(() => aws.stop());

  it('creates every table with the keys of src/infra/resources.ts', async () => {
    const ddb = aws.dynamodb();
    for (const spec of Object.values(TABLES)) {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: localName(aws.prefix, spec) }));
      expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([
        spec.partitionKey.name,
        ...('sortKey' in spec ? [spec.sortKey.name] : []),
      ]);
    }
  });

  it('creates every queue, with the redrive policy pointing at its dead-letter queue', async () => {
    const sqs = aws.sqs();
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: aws.prefix }));
    expect(QueueUrls).toHaveLength(Object.keys(QUEUES).length);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: aws.queues.jobs.url,
        AttributeNames: ['RedrivePolicy', 'VisibilityTimeout'],
      }),
    );
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: aws.queues.jobsDlq.arn,
      maxReceiveCount: QUEUES.jobs.deadLetter.maxReceiveCount,
    });
    expect(Number(Attributes?.VisibilityTimeout)).toBe(QUEUES.jobs.visibilityTimeoutSeconds);
  });

  it('is idempotent', async () => {
    const again = await provisionLocal({ dynamodb: aws.dynamodb(), sqs: aws.sqs() }, aws.prefix);
    expect(again.queues.jobs.url).toBe(aws.queues.jobs.url);
  });

  it('supports the conditional writes the limiter and mirror rely on', async () => {
    const ddb = aws.dynamodb();
    const put = (v: number) =>
      ddb.send(
        new PutItemCommand({
          TableName: aws.tables.state,
          Item: { pk: { S: 'contract' }, v: { N: String(v) } },
          ConditionExpression: 'attribute_not_exists(pk) OR v < :v',
          ExpressionAttributeValues: { ':v': { N: String(v) } },
        }),
      );
    await put(2);
    await expect(put(1)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('binds the embedded stand-ins to loopback only', async () => {
    if (aws.external) return expect(aws.endpoints.dynamodb).toMatch(/^http/);
    expect(loopbackOnly(aws.endpoints)).toBe(true);
    // And nothing answers on the same ports at this machine's other addresses.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a?.address as string);
    for (const host of others) {
      for (const url of [aws.endpoints.dynamodb, aws.endpoints.sqs]) {
        const port = Number(new URL(url).port);
        await expect(connectable(host, port)).resolves.toBe(false);
      }
    }
  });
});

function connectable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { QUEUES } from '../../../src/infra/resources';
import { type TestAws, testAws } from '../../support/aws';

const receive = (sqs: SQSClient, url: string, wait = 0) =>
  sqs
    .send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    )
    .then((out) => out.Messages ?? []);

describe('SQS stand-in contract', () => {
  let aws: TestAws;
  let sqs: SQSClient;
  beforeAll(async () => {
    aws = await testAws('sqs');
    sqs = aws.sqs();
  });
  afterAll(() => aws.stop());

  it('makes a message reappear after the delay set by ChangeMessageVisibility', async () => {
    const url = aws.queues.jobs.url;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'visibility' }));
    const [first] = await receive(sqs, url, 1);
    expect(first?.Body).toBe('visibility');
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 2,
      }),
    );
    expect(await receive(sqs, url)).toHaveLength(0);
    const started = Date.now();
    const [again] = await receive(sqs, url, 5);
    expect(again?.Body).toBe('visibility');
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(Date.now() - started).toBeGreaterThan(500);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: again?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    await receive(sqs, url, 1); // drain
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const url = aws.queues.jobs.url;
    const max = QUEUES.jobs.deadLetter.maxReceiveCount;
    // Clear anything the previous test left behind.
    for (const m of await receive(sqs, url)) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 3600,
        }),
      );
    }
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    let receives = 0;
    for (let i = 0; i < max + 2; i++) {
      const got = (await receive(sqs, url, 1)).filter((m) => m.Body === 'poison');
      for (const m of got) {
        receives++;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }
    }
    expect(receives).toBe(max);
    const dead = await receive(sqs, aws.queues.jobsDlq.url, 1);
    expect(dead.map((m) => m.Body)).toEqual(['poison']);
  });
});

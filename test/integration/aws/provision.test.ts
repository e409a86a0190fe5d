import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, startEmbeddedAws } from '../../../src/local/embedded-aws';
import { provisionLocal } from '../../../src/local/provision';

describe('embedded aws', () => {
  it('provisions tables and queues', async () => {
    const aws = await startEmbeddedAws();
    try {
      const dynamodb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
      const sqs = new SQSClient(clientConfig(aws, 'sqs'));
      const r = await provisionLocal({ dynamodb, sqs }, 't1');
      const tables = await dynamodb.send(new ListTablesCommand({}));
      const queues = await sqs.send(new ListQueuesCommand({}));
      expect(tables.TableNames).toEqual(['t1-mirror', 't1-state']);
      expect(queues.QueueUrls?.length).toBe(2);
      expect(r.queues.jobs.url).toContain('t1-jobs');
    } finally {
      await aws.stop();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type AwsEndpoints,
  clientConfig,
  LOCAL_CREDENTIALS,
  startEmbeddedAws,
} from '../../src/local/embedded-aws';
import { type LocalResources, provisionLocal } from '../../src/local/provision';

type ClientConfig = ReturnType<typeof clientConfig>;

export interface TestAws extends LocalResources {
  /** The unique prefix of this run's tables and queues. */
  prefix: string;
  /** Where the stand-ins listen: `AWS_ENDPOINT_URL` (moto_server in CI) or embedded dynalite + fauxqs. */
  endpoints: AwsEndpoints;
  /** Whether the stand-ins are `AWS_ENDPOINT_URL` rather than embedded. */
  external: boolean;
  dynamodbConfig: ClientConfig;
  sqsConfig: ClientConfig;
  /** A new DynamoDB client (each one its own connection pool); destroyed by `stop()`. */
  dynamodb(): DynamoDBClient;
  /** A new SQS client; destroyed by `stop()`. */
  sqs(): SQSClient;
  /** Destroys the clients, deletes this run's tables and queues from an external endpoint, stops embedded ones. */
  stop(): Promise<void>;
}

/**
 * AWS stand-ins for one integration test file. When `AWS_ENDPOINT_URL` is set (CI re-runs
 * `test/integration/aws` against moto_server), it is used for DynamoDB and SQS with dummy
 * credentials in us-east-1; otherwise dynalite and fauxqs start in this process. Either way the
 * tables and queues of `src/infra/resources.ts` are provisioned under a prefix unique to this call,
 * so reruns and parallel files never collide.
 *
 * @example
 * let aws: TestAws;
 * beforeAll(async () => { aws = await testAws('limiter'); });
 * afterAll(() => aws.stop());
 */
export async function testAws(name = 'test', env: NodeJS.ProcessEnv = process.env): Promise<TestAws> {
  const url = env.AWS_ENDPOINT_URL;
  const embedded = url ? undefined : await startEmbeddedAws();
  const endpoints: AwsEndpoints = embedded ?? {
    region: 'us-east-1',
    dynamodb: url ?? '',
    sqs: url ?? '',
    credentials: { ...LOCAL_CREDENTIALS },
  };
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 30);
  const prefix = `t-${slug}-${randomBytes(4).toString('hex')}`;
  const dynamodbConfig = clientConfig(endpoints, 'dynamodb');
  const sqsConfig = clientConfig(endpoints, 'sqs');
  const clients: { destroy(): void }[] = [];
  const track = <C extends { destroy(): void }>(client: C): C => {
    clients.push(client);
    return client;
  };
  const admin = { dynamodb: track(new DynamoDBClient(dynamodbConfig)), sqs: track(new SQSClient(sqsConfig)) };
  let resources: LocalResources;
  try {
    resources = await provisionLocal(admin, prefix);
  } catch (error) {
    for (const client of clients) client.destroy();
    await embedded?.stop();
    throw error;
  }

  return {
    ...resources,
    prefix,
    endpoints,
    external: embedded === undefined,
    dynamodbConfig,
    sqsConfig,
    dynamodb: () => track(new DynamoDBClient(dynamodbConfig)),
    sqs: () => track(new SQSClient(sqsConfig)),
    async stop() {
      if (!embedded) {
        // Best effort: a shared moto_server should not fill up with test tables.
        await Promise.allSettled([
          ...Object.values(resources.tables).map((TableName) =>
            admin.dynamodb.send(new DeleteTableCommand({ TableName })),
          ),
          ...Object.values(resources.queues).map(({ url: QueueUrl }) =>
            admin.sqs.send(new DeleteQueueCommand({ QueueUrl })),
          ),
        ]);
      }
      for (const client of clients) client.destroy();
      await embedded?.stop();
    },
  };
}

/** True when every endpoint is on the loopback interface. */
export function loopbackOnly(endpoints: Pick<AwsEndpoints, 'dynamodb' | 'sqs'>): boolean {
  return [endpoints.dynamodb, endpoints.sqs].every((url) =>
    /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?/.test(url),
  );
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbRunCursorStore } from '../adapters/run-cursors';
import { clientConfig, type EmbeddedAws, startEmbeddedAws } from './embedded-aws';
import { type LocalResources, provisionLocal } from './provision';

/** Where the local stack's AWS services are, as the state file records them for operator commands. */
export interface LocalEndpoints {
  region: string;
  dynamodb: string;
  sqs: string;
  /** True when an embedded stand-in runs: clients then need `credentials`. */
  embedded: boolean;
  /** This run's credentials of the embedded stand-ins (they refuse any others); kept in the owner-only state file. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface LocalAws {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  resources: LocalResources;
  endpoints: LocalEndpoints;
  stop(): Promise<void>;
}

/**
 * DynamoDB and SQS for the local stack, with jama-sync's tables and queues provisioned: the
 * endpoints of `AWS_ENDPOINT_URL` (or `_DYNAMODB`, `_SQS`) when set — moto_server, LocalStack —
 * otherwise embedded dynalite and fauxqs on 127.0.0.1 — on disk under `dataDir` when given. On
 * disk, what the last process held is freed, as the stand-ins free its in-flight messages: it
 * died with that process (LevelDB's lock keeps a data directory to one process), so its
 * reconciliation slices resume at once instead of after their one-minute lease.
 */
export async function openLocalAws(
  env: Record<string, string | undefined>,
  prefix: string,
  options: { dataDir?: string | undefined } = {},
): Promise<LocalAws> {
  const region = env.AWS_REGION ?? 'us-east-1';
  const dynamodbUrl = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const sqsUrl = env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  let aws: EmbeddedAws | undefined;
  if (!dynamodbUrl || !sqsUrl)
    aws = await startEmbeddedAws({ region, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  const configFor = (service: 'dynamodb' | 'sqs', url: string | undefined) =>
    url ? { region, endpoint: url } : clientConfig(aws as EmbeddedAws, service);
  const dynamodb = new DynamoDBClient(configFor('dynamodb', dynamodbUrl));
  const sqs = new SQSClient(configFor('sqs', sqsUrl));
  const stop = async () => {
    dynamodb.destroy();
    sqs.destroy();
    await aws?.stop();
  };
  try {
    const resources = await provisionLocal({ dynamodb, sqs }, prefix);
    if (aws && options.dataDir)
      await new DynamoDbRunCursorStore(dynamodb, resources.tables.state).releaseAbandoned();
    return {
      dynamodb,
      sqs,
      resources,
      endpoints: {
        region,
        dynamodb: dynamodbUrl ?? (aws as EmbeddedAws).dynamodb,
        sqs: sqsUrl ?? (aws as EmbeddedAws).sqs,
        embedded: aws !== undefined,
        ...(aws ? { credentials: aws.credentials } : {}),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

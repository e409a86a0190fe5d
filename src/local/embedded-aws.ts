import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** Endpoints and static credentials of a running set of AWS stand-ins. */
export interface AwsEndpoints {
  region: string;
  dynamodb: string;
  sqs: string;
  /** Stand-ins accept any credentials; these keep the SDK from searching for real ones. */
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface EmbeddedAws extends AwsEndpoints {
  stop(): Promise<void>;
}

export interface EmbeddedAwsOptions {
  /** Interface to bind. Loopback only, so nothing on the network can reach the stand-ins. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  dynamodbPort?: number;
  /** @default 0 (a free port) */
  sqsPort?: number;
  /** @default 'us-east-1' */
  region?: string;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Starts DynamoDB (dynalite, in memory) and SQS (fauxqs, in memory) in this process on loopback.
 * fauxqs's own `startFauxqs` listens on 0.0.0.0, so its app is built and bound here instead.
 *
 * @example
 * const aws = await startEmbeddedAws();
 * const ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
 * // …
 * await aws.stop();
 */
export async function startEmbeddedAws(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';

  const ddb: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    ddb.once('error', reject);
    ddb.listen(options.dynamodbPort ?? 0, host, () => resolve());
  });
  const ddbPort = (ddb.address() as AddressInfo).port;

  // fauxqs is ESM-only; a dynamic import loads it from this CommonJS module.
  const { buildApp } = await import('fauxqs');
  const sqs = buildApp({ logger: false, defaultRegion: region });
  let sqsAddress: string;
  try {
    sqsAddress = await sqs.listen({ port: options.sqsPort ?? 0, host });
  } catch (error) {
    await new Promise((resolve) => ddb.close(resolve));
    throw error;
  }

  return {
    region,
    dynamodb: `http://${host}:${ddbPort}`,
    sqs: sqsAddress,
    credentials: { ...LOCAL_CREDENTIALS },
    async stop() {
      await Promise.all([sqs.close(), new Promise((resolve) => ddb.close(resolve))]);
    },
  };
}

/** SDK v3 client configuration for one service of a set of stand-ins. */
export function clientConfig(endpoints: AwsEndpoints, service: 'dynamodb' | 'sqs') {
  return {
    region: endpoints.region,
    endpoint: endpoints[service],
    credentials: endpoints.credentials,
  };
}

/** True when every endpoint is on the loopback interface. */
export function loopbackOnly(endpoints: Pick<AwsEndpoints, 'dynamodb' | 'sqs'>): boolean {
  return [endpoints.dynamodb, endpoints.sqs].every((url) =>
    /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?/.test(url),
  );
}

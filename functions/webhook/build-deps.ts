import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbPendingMarkers } from '../../src/adapters/pending-markers';
import { DynamoDbReplayGuard } from '../../src/adapters/replay-nonces';
import { SqsJobQueue } from '../../src/adapters/sqs-job-queue';
import type { WebhookConfig } from '../../src/config';
import { type Clock, systemClock } from '../../src/core/clock';
import { ConfigError } from '../../src/core/errors';
import type { IngestDeps } from '../../src/core/webhook/ingest';
import type { WebhookSource } from '../../src/core/webhook/source';
import type { SecretResolver } from '../sync-worker/build-deps';

export interface WebhookBuildOptions {
  clock?: Clock;
  /** Pre-built clients (local runtime, tests); otherwise built from the SDK's default chain. */
  dynamodb?: DynamoDBClient;
  sqs?: SQSClient;
  /** Resolves `secretArn`s. @default Secrets Manager */
  resolveSecret?: SecretResolver;
}

/** Reads a Secrets Manager secret holding a JSON object of strings. */
export function secretsManagerResolver(client = new SecretsManagerClient({})): SecretResolver {
  return async (secretArn) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    try {
      return JSON.parse(out.SecretString ?? '') as Record<string, string>;
    } catch {
      throw new ConfigError(`Secret ${secretArn} must hold a JSON object, e.g. {"secret": "…"}`);
    }
  };
}

/**
 * Wires the webhook once per container: each source with its secret resolved (inline locally,
 * Secrets Manager in AWS), the jobs queue, and on the state table the pending-pull markers and the
 * nonces of accepted requests (replay protection).
 */
export async function buildWebhookDeps(
  config: Readonly<WebhookConfig>,
  options: WebhookBuildOptions = {},
): Promise<IngestDeps> {
  const clock = options.clock ?? systemClock;
  const dynamodb = options.dynamodb ?? new DynamoDBClient({});
  const sqs = options.sqs ?? new SQSClient({});
  let resolve = options.resolveSecret;
  const sources = new Map<string, WebhookSource>();
  for (const source of config.sources) {
    let secret = source.secret;
    if (secret === undefined && source.secretArn) {
      resolve ??= secretsManagerResolver();
      secret = (await resolve(source.secretArn)).secret;
    }
    if (!secret || secret.length < 16) {
      throw new ConfigError(
        `Webhook source \`${source.name}\`: its secret must hold {"secret": "…"} (≥ 16 characters)`,
      );
    }
    sources.set(source.name, { name: source.name, env: source.env, secret, mapping: source.mapping });
  }
  return {
    sources,
    queue: new SqsJobQueue(sqs, config.jobsQueueUrl),
    markers: new DynamoDbPendingMarkers({
      client: dynamodb,
      tableName: config.stateTable,
      clock,
      ttlSeconds: config.pendingTtlSeconds,
    }),
    replays: new DynamoDbReplayGuard(dynamodb, config.stateTable),
    clock,
  };
}

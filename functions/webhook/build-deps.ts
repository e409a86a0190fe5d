import { type BuildOptions, clientsOf, readSecret } from '../../src/adapters/clients';
import { DynamoDbPendingMarkers } from '../../src/adapters/pending-markers';
import { DynamoDbReplayGuard } from '../../src/adapters/replay-nonces';
import { SqsJobQueue } from '../../src/adapters/sqs-job-queue';
import type { WebhookConfig } from '../../src/config';
import { ConfigError } from '../../src/core/errors';
import type { IngestDeps } from '../../src/core/webhook/ingest';
import type { WebhookSource } from '../../src/core/webhook/source';

/**
 * Wires the webhook once per container: each source with its secret resolved (inline locally,
 * Secrets Manager in AWS, through `options.resolveSecret`), the jobs queue, and on the state table the pending-pull markers and the
 * nonces of accepted requests (replay protection).
 */
export async function buildWebhookDeps(
  config: Readonly<WebhookConfig>,
  options: BuildOptions = {},
): Promise<IngestDeps> {
  const { clock, dynamodb, sqs } = clientsOf(options);
  const sources = new Map<string, WebhookSource>();
  for (const source of config.sources) {
    let secret = source.secret;
    if (secret === undefined && source.secretArn) {
      secret = (
        await readSecret(source.secretArn, options.resolveSecret, `Webhook source \`${source.name}\``)
      ).secret;
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

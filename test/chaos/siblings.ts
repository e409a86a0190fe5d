import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDbRateLimiter } from '../../src/adapters/dynamodb-limiter/limiter';
import { JamaClient } from '../../src/adapters/jama/jama-client';
import { LimiterWaitError } from '../../src/core/ports/rate-limiter';

export interface SiblingOptions {
  clientConfig: DynamoDBClientConfig;
  stateTable: string;
  /** The Jama environment whose limiter item the siblings share with the pipeline. */
  environment: string;
  jamaUrl: string;
  clientId: string;
  clientSecret: string;
  /** Concurrent acquirers, each with its own DynamoDB client and limiter instance. */
  count: number;
  itemIds: () => readonly number[];
  /** Pause between one sibling's calls. @default 150 */
  pauseMs?: number;
}

/**
 * Other Lambdas of the same deployment (more worker instances, the reconcile function) taking
 * slots from the environment's one limiter item at the same time as the pipeline: many
 * conditional UpdateItems racing on one DynamoDB item. Their calls are real Jama reads.
 */
export function startSiblings(options: SiblingOptions) {
  const stats = { calls: 0, refusals: 0, errors: 0, conflicts: 0 };
  let stopped = false;
  const parts: { client: DynamoDBClient; jama: JamaClient; limiter: DynamoDbRateLimiter }[] = [];
  const sibling = async () => {
    const client = new DynamoDBClient(options.clientConfig);
    const limiter = new DynamoDbRateLimiter({
      client,
      tableName: options.stateTable,
      environment: options.environment,
    });
    const jama = new JamaClient({
      url: options.jamaUrl,
      credentials: { type: 'oauth', clientId: options.clientId, clientSecret: options.clientSecret },
      limiter,
    });
    parts.push({ client, jama, limiter });
    while (!stopped) {
      const ids = options.itemIds();
      const id = ids[Math.floor(Math.random() * ids.length)];
      let wait = options.pauseMs ?? 150;
      try {
        if (id !== undefined) await jama.getItem(id);
        stats.calls++;
      } catch (error) {
        if (error instanceof LimiterWaitError) {
          stats.refusals++;
          wait = Math.max(wait, error.retryAfterMs);
        } else stats.errors++;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const running = Promise.all(Array.from({ length: options.count }, sibling));
  return {
    stats,
    async stop() {
      stopped = true;
      await running;
      for (const { client, jama, limiter } of parts) {
        stats.conflicts += limiter.stats.conflicts;
        await jama.close();
        client.destroy();
      }
    },
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { makeHandler } from '../../functions/sync-worker/handler';
import type { MirrorRow } from '../adapters/mirror-sink';
import { SqsJobQueue } from '../adapters/sqs-job-queue';
import { type Config, loadConfig } from '../config';
import type { JobInput } from '../core/worker/jobs';
import { type JamaSimulator, type SimulatorOptions, startJamaSimulator } from '../simulator/server';
import { buildWorkerDeps, type WorkerDeps } from '../worker/build-deps';
import { clientConfig, type EmbeddedAws, startEmbeddedAws } from './embedded-aws';
import { type EventSource, type EventSourceOptions, startEventSource } from './event-source';
import { type LocalResources, provisionLocal } from './provision';

const DEPTH_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

export interface LocalStackOptions {
  /** Configuration variables (see src/config.ts); tables and queues are filled in by the stack. */
  env?: Record<string, string | undefined>;
  /** Start the bundled Jama simulator with these options when no `JAMA_URL` is configured. */
  simulator?: SimulatorOptions;
  /** How the local event source mapping drives the worker (as the Lambda ESM would). */
  eventSource?: Partial<Pick<EventSourceOptions, 'batchSize' | 'batchingWindowSeconds' | 'maxConcurrency'>>;
  /** Prefix of table and queue names. @default 'jama-sync' */
  prefix?: string;
  /** Replace parts of the worker's dependencies (tests). */
  adjust?(deps: WorkerDeps): WorkerDeps;
}

/** The whole pipeline in one process: embedded DynamoDB and SQS, the simulator or a real Jama, the worker. */
export interface LocalStack {
  config: Readonly<Config>;
  resources: LocalResources;
  simulator?: JamaSimulator;
  deps: WorkerDeps;
  source: EventSource;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  enqueue(jobs: JobInput[]): Promise<void>;
  /** Messages in a queue: visible, in flight and delayed. */
  depth(queue?: 'jobs' | 'jobsDlq'): Promise<number>;
  /** Resolves once the jobs queue is empty and no invocation runs. */
  idle(options?: { timeoutMs?: number; onTick?: () => void }): Promise<void>;
  /** Every mirror row of an environment. */
  mirror(env?: string): Promise<Map<number, MirrorRow>>;
  stop(): Promise<void>;
}

/**
 * Starts jama-sync locally. AWS endpoints come from `AWS_ENDPOINT_URL` (or the per-service
 * variables) when set — moto_server, LocalStack, even real AWS — and otherwise from embedded
 * dynalite and fauxqs on 127.0.0.1.
 *
 * @example
 * const stack = await startLocalStack({ simulator: { projects: 3, itemsPerProject: 100 } });
 * await stack.enqueue([{ v: 1, env: 'default', kind: 'scan', projectId: 20, mode: 'full', runId: 'demo', from: 0 }]);
 * await stack.idle();
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? {};
  const external = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let aws: EmbeddedAws | undefined;
    if (!external) {
      aws = await startEmbeddedAws();
      stops.push(() => (aws as EmbeddedAws).stop());
    }
    const dynamodb = new DynamoDBClient(
      aws ? clientConfig(aws, 'dynamodb') : { region: env.AWS_REGION ?? 'us-east-1' },
    );
    const sqs = new SQSClient(aws ? clientConfig(aws, 'sqs') : { region: env.AWS_REGION ?? 'us-east-1' });
    stops.push(async () => {
      dynamodb.destroy();
      sqs.destroy();
    });
    const resources = await provisionLocal({ dynamodb, sqs }, options.prefix ?? 'jama-sync');

    let simulator: JamaSimulator | undefined;
    const jama: Record<string, string | undefined> = {};
    if (!env.JAMA_URL && !env.JAMA_SYNC_ENVIRONMENTS) {
      simulator = await startJamaSimulator(options.simulator);
      stops.push(() => (simulator as JamaSimulator).close());
      const [client] = simulator.options.clients;
      jama.JAMA_URL = simulator.url;
      jama.JAMA_CLIENT_ID = client?.clientId;
      jama.JAMA_CLIENT_SECRET = client?.clientSecret;
    }
    const config = loadConfig({
      ...env,
      ...jama,
      STATE_TABLE: resources.tables.state,
      MIRROR_TABLE: env.MIRROR_TABLE === '' ? undefined : resources.tables.mirror,
      JOBS_QUEUE_URL: resources.queues.jobs.url,
      DLQ_URL: resources.queues.jobsDlq.url,
    });
    const built = await buildWorkerDeps(config, { dynamodb, sqs });
    stops.push(() => built.close());
    const deps = options.adjust ? options.adjust(built) : built;
    const source = startEventSource({
      sqs,
      queueUrl: resources.queues.jobs.url,
      queueArn: resources.queues.jobs.arn,
      handler: () => makeHandler(deps, { softDeadlineMs: 5000, metrics: false }),
      batchSize: 1000,
      batchingWindowSeconds: 1,
      maxConcurrency: 2,
      idleWaitSeconds: 1,
      ...options.eventSource,
    });
    stops.push(() => source.stop());

    const queue = new SqsJobQueue(sqs, resources.queues.jobs.url);
    const doc = DynamoDBDocumentClient.from(dynamodb);
    const depth: LocalStack['depth'] = async (which = 'jobs') => {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: resources.queues[which].url,
          AttributeNames: [...DEPTH_ATTRIBUTES],
        }),
      );
      return DEPTH_ATTRIBUTES.reduce((sum, name) => sum + Number(out.Attributes?.[name] ?? 0), 0);
    };

    return {
      config,
      resources,
      ...(simulator ? { simulator } : {}),
      deps,
      source,
      sqs,
      dynamodb,
      enqueue: (jobs) => queue.send(jobs),
      depth,
      async idle({ timeoutMs = 600_000, onTick } = {}) {
        const deadline = Date.now() + timeoutMs;
        // Two empty looks in a row: a batch may be between receive and invoke.
        let quiet = 0;
        while (quiet < 2) {
          if (Date.now() > deadline) throw new Error(`backlog not drained after ${timeoutMs} ms`);
          onTick?.();
          quiet = source.busy === 0 && (await depth('jobs')) === 0 ? quiet + 1 : 0;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
      async mirror(envName = config.environments[0]?.name ?? 'default') {
        const rows = new Map<number, MirrorRow>();
        let start: Record<string, unknown> | undefined;
        do {
          const out = await doc.send(
            new QueryCommand({
              TableName: resources.tables.mirror,
              KeyConditionExpression: 'env = :e',
              ExpressionAttributeValues: { ':e': envName },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const row of out.Items ?? []) rows.set(Number(row.itemId), row as MirrorRow);
          start = out.LastEvaluatedKey;
        } while (start);
        return rows;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildReconcileDeps, type ReconcileDeps } from '../../functions/reconcile/build-deps';
import { makeHandler as makeReconcileHandler } from '../../functions/reconcile/handler';
import { makeHandler } from '../../functions/sync-worker/handler';
import { buildWebhookDeps } from '../../functions/webhook/build-deps';
import { makeHandler as makeWebhookHandler } from '../../functions/webhook/handler';
import { type MirrorRow, readMirror } from '../../src/adapters/mirror-sink';
import { SqsJobQueue } from '../../src/adapters/sqs-job-queue';
import { loadConfig, loadWebhookConfig } from '../../src/config';
import type { ReconcileRequest } from '../../src/core/reconcile/plan';
import type { ReconcileSummary } from '../../src/core/reconcile/start';
import { sign } from '../../src/core/signature';
import type { IngestDeps } from '../../src/core/webhook/ingest';
import type { JobInput } from '../../src/core/worker/jobs';
import { clientConfig, startEmbeddedAws } from '../../src/local/embedded-aws';
import { type EventSourceOptions, type SqsHandler, startEventSource } from '../../src/local/event-source';
import { provisionLocal } from '../../src/local/provision';
import { startWebhookServer } from '../../src/local/webhook-server';
import { type SimulatorOptions, startJamaSimulator } from '../../src/simulator/server';
import { buildWorkerDeps, type WorkerDeps } from '../../src/worker/build-deps';

export interface PipelineOptions {
  simulator?: SimulatorOptions;
  eventSource?: Partial<Pick<EventSourceOptions, 'batchSize' | 'batchingWindowSeconds' | 'maxConcurrency'>>;
  env?: Record<string, string>;
  /** Replace parts of the worker's dependencies (e.g. a faster retry schedule). */
  adjust?(deps: WorkerDeps): WorkerDeps;
  /** Wraps each jobs-queue poller's handler (e.g. to kill an invocation mid-batch). */
  wrapWorker?(handler: SqsHandler): SqsHandler;
  /** Also serve the webhook on loopback, with these sources (`JAMA_SYNC_WEBHOOK_SOURCES` entries, inline secrets). */
  webhook?: {
    sources: { name: string; secret: string; [key: string]: unknown }[];
    adjust?(deps: IngestDeps): IngestDeps;
  };
}

/** The whole worker pipeline on loopback: simulator, embedded SQS/DynamoDB, local event source. */
export async function startPipeline(options: PipelineOptions = {}) {
  const aws = await startEmbeddedAws();
  const dynamodb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
  const sqs = new SQSClient(clientConfig(aws, 'sqs'));
  const resources = await provisionLocal({ dynamodb, sqs }, `t${Date.now()}`);
  const simulator = await startJamaSimulator({ rateLimit: 10, ...options.simulator });
  const config = loadConfig({
    JAMA_SYNC_URL: simulator.url,
    JAMA_SYNC_CLIENT_ID: 'jama-sync',
    JAMA_SYNC_CLIENT_SECRET: 'jama-sync-secret',
    JAMA_SYNC_STATE_TABLE: resources.tables.state,
    JAMA_SYNC_MIRROR_TABLE: resources.tables.mirror,
    JAMA_SYNC_JOBS_QUEUE_URL: resources.queues.jobs.url,
    JAMA_SYNC_DLQ_URL: resources.queues.jobsDlq.url,
    JAMA_SYNC_RECONCILE_QUEUE_URL: resources.queues.reconcile.url,
    ...options.env,
  });
  const built = await buildWorkerDeps(config, { dynamodb, sqs });
  const deps = options.adjust ? options.adjust(built) : built;
  const source = startEventSource({
    sqs,
    queueUrl: resources.queues.jobs.url,
    queueArn: resources.queues.jobs.arn,
    handler: () => {
      const handler: SqsHandler = makeHandler(deps, { softDeadlineMs: 5000 });
      return options.wrapWorker ? options.wrapWorker(handler) : handler;
    },
    batchSize: 1000,
    batchingWindowSeconds: 1,
    maxConcurrency: 2,
    idleWaitSeconds: 0,
    ...options.eventSource,
  });
  // Reconciliation's consumer: the same worker code on its own queue, at the ESM minimum concurrency.
  const reconcileWorker = await buildWorkerDeps(
    { ...config, jobsQueueUrl: config.reconcileQueueUrl },
    { dynamodb, sqs },
  );
  const reconcileSource = startEventSource({
    sqs,
    queueUrl: resources.queues.reconcile.url,
    queueArn: resources.queues.reconcile.arn,
    handler: () => makeHandler(reconcileWorker, { softDeadlineMs: 5000 }),
    batchSize: 10,
    batchingWindowSeconds: 0,
    maxConcurrency: 2,
    idleWaitSeconds: 1,
  });
  let reconcileDeps: Promise<ReconcileDeps> | undefined;
  const queue = new SqsJobQueue(sqs, resources.queues.jobs.url);
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const webhook = options.webhook && (await startPipelineWebhook(options.webhook));

  async function startPipelineWebhook(opts: NonNullable<PipelineOptions['webhook']>) {
    const webhookConfig = loadWebhookConfig({
      JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify(opts.sources),
      JAMA_SYNC_STATE_TABLE: resources.tables.state,
      JAMA_SYNC_JOBS_QUEUE_URL: resources.queues.jobs.url,
      JAMA_SYNC_URL: simulator.url,
    });
    const built = await buildWebhookDeps(webhookConfig, { dynamodb, sqs });
    const server = await startWebhookServer({
      handler: makeWebhookHandler(opts.adjust ? opts.adjust(built) : built),
    });
    /** POSTs `payload` to a source, signed with its secret; resolves with the status and JSON answer. */
    const post = async (name: string, payload: unknown) => {
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(Date.now() / 1000);
      const secret = opts.sources.find((s) => s.name === name)?.secret ?? 'unknown-source-secret';
      const res = await fetch(`${server.url}/webhooks/${name}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-jama-sync-timestamp': String(timestamp),
          'x-jama-sync-signature': sign(secret, timestamp, body),
        },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    return { url: server.url, post, close: () => server.close() };
  }

  const depth = async (url: string) => {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const a = out.Attributes ?? {};
    return (
      Number(a.ApproximateNumberOfMessages ?? 0) +
      Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  };

  return {
    simulator,
    sqs,
    dynamodb,
    resources,
    deps,
    source,
    enqueue: (jobs: JobInput[]) => queue.send(jobs),
    depth,
    reconcileWorker,
    reconcileSource,
    /** The webhook on loopback, when `options.webhook` was given. */
    webhook,
    /** Invokes the reconcile function as its schedule would (it only enqueues; see {@link idle}). */
    async reconcile(request: Partial<ReconcileRequest> = {}): Promise<ReconcileSummary> {
      reconcileDeps ??= buildReconcileDeps(config, { dynamodb, sqs });
      const context = { functionName: 'reconcile-local', getRemainingTimeInMillis: () => 120_000 };
      return makeReconcileHandler(await reconcileDeps)(request, context as never);
    },
    /** Resolves once both queues are empty and no invocation runs; rejects after `timeoutMs`. */
    async idle(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      const backlog = async () =>
        (await depth(resources.queues.jobs.url)) + (await depth(resources.queues.reconcile.url));
      while (Date.now() < deadline) {
        if (source.busy === 0 && reconcileSource.busy === 0 && (await backlog()) === 0) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`pipeline not idle after ${timeoutMs} ms (depth ${await backlog()})`);
    },
    mirror: (env = 'default'): Promise<Map<number, MirrorRow>> =>
      readMirror(doc, resources.tables.mirror, env),
    async deadLetters() {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: resources.queues.jobsDlq.url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      return out.Messages ?? [];
    },
    async stop() {
      await webhook?.close();
      await source.stop();
      await reconcileSource.stop();
      await deps.close();
      await reconcileWorker.close();
      await (await reconcileDeps)?.close();
      await simulator.close();
      dynamodb.destroy();
      sqs.destroy();
      await aws.stop();
    },
  };
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

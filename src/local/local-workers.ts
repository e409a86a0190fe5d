import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { buildWorkerDeps, type WorkerDeps } from '../../functions/sync-worker/build-deps';
import { makeHandler } from '../../functions/sync-worker/handler';
import type { Config } from '../config';
import type { ChangeEventPublisher } from '../core/ports/change-event-publisher';
import { DEFAULT_JAMA_P95_MS, RECONCILE, reconcileConcurrency } from '../infra/resources';
import { type ActivityRecorder, activityRecorder } from './activity';
import { type EventSource, type EventSourceOptions, type SqsHandler, startEventSource } from './event-source';
import { localLogger } from './human-logger';
import type { LocalResources } from './provision';

export type EventSourceTuning = Partial<
  Pick<EventSourceOptions, 'batchSize' | 'batchingWindowSeconds' | 'maxConcurrency' | 'idleWaitSeconds'>
>;

/** Which of the two worker deployments: the jobs queue's, or the reconcile queue's. */
export type WorkerQueue = 'jobs' | 'reconcile';

/**
 * The jobs queue's event source mapping as the CDK stack deploys it by default
 * (lib/config/schema.ts: batch size 50, a 1 s window; lib/config/sizing.ts: enough concurrency
 * for `rate × p95 Jama latency` calls in flight at 300 ms, at least Lambda's minimum of 2).
 * test/infra/local-parity.test.ts keeps the two equal.
 */
export function defaultWorkerEsm(totalRate: number) {
  return {
    batchSize: 50,
    batchingWindowSeconds: 1,
    maxConcurrency: Math.max(2, Math.ceil((totalRate * DEFAULT_JAMA_P95_MS) / 1000 - 1e-9)),
  };
}

/**
 * The reconcile queue's event source mapping as the CDK stack deploys it for these environments:
 * `RECONCILE.consumer`, at {@link reconcileConcurrency}.
 */
export function reconcileEsm(environments: readonly { rateLimit: number }[]) {
  const { consumer } = RECONCILE;
  return {
    batchSize: consumer.batchSize,
    batchingWindowSeconds: consumer.batchingWindowSeconds,
    maxConcurrency: reconcileConcurrency(environments),
  };
}

export interface LocalWorkers {
  /** The sync worker on the jobs queue. */
  deps: WorkerDeps;
  source: EventSource;
  /** The same worker code deployed a second time on the reconcile queue (docs/reconcile.md). */
  reconcileDeps: WorkerDeps;
  reconcileSource: EventSource;
  /** Invocations running now, on both queues. */
  readonly busy: number;
  /** Jobs synced, sync latency and the last jobs, from both deployments (the dashboard). */
  activity: ActivityRecorder;
  stop(): Promise<void>;
}

/**
 * Both deployments of the sync worker, each driven by a local event source mapping with the
 * settings the CDK stack gives its Lambda ESM: the jobs queue with large batches and a 1 s window,
 * the reconcile queue with `RECONCILE.consumer`.
 */
export async function startLocalWorkers(options: {
  config: Readonly<Config>;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  resources: LocalResources;
  tuning?: EventSourceTuning | undefined;
  /** Replace parts of a deployment's dependencies (tests, chaos options). */
  adjust?(deps: WorkerDeps, queue: WorkerQueue): WorkerDeps;
  /** Wraps each poller's handler (e.g. to kill an invocation part-way). */
  wrap?: ((handler: SqsHandler, queue: WorkerQueue) => SqsHandler) | undefined;
  /** Change events go here instead of EventBridge (`--events-out`). */
  events?: ChangeEventPublisher | undefined;
}): Promise<LocalWorkers> {
  const { config, resources } = options;
  const clients = { ...options.clients, ...(options.events ? { events: options.events } : {}) };
  const adjust = (d: WorkerDeps, queue: WorkerQueue) => (options.adjust ? options.adjust(d, queue) : d);
  const built = await buildWorkerDeps(config, clients);
  const deps = adjust(built, 'jobs');
  const builtReconcile = await buildWorkerDeps(
    { ...config, jobsQueueUrl: resources.queues.reconcile.url },
    clients,
  ).catch(async (error: unknown) => {
    await built.close();
    throw error;
  });
  const reconcileDeps = adjust(builtReconcile, 'reconcile');
  const activity = activityRecorder();
  const handler = (d: WorkerDeps, queue: WorkerQueue) => () => {
    const h: SqsHandler = makeHandler(d, {
      softDeadlineMs: 5000,
      metrics: false,
      onSynced: activity.record,
      logger: localLogger('jama-sync-worker'),
    });
    return options.wrap ? options.wrap(h, queue) : h;
  };
  const source = startEventSource({
    sqs: clients.sqs,
    queueUrl: resources.queues.jobs.url,
    queueArn: resources.queues.jobs.arn,
    handler: handler(deps, 'jobs'),
    ...defaultWorkerEsm(config.environments.reduce((sum, e) => sum + e.rateLimit, 0)),
    idleWaitSeconds: 1,
    ...options.tuning,
  });
  const reconcileSource = startEventSource({
    sqs: clients.sqs,
    queueUrl: resources.queues.reconcile.url,
    queueArn: resources.queues.reconcile.arn,
    handler: handler(reconcileDeps, 'reconcile'),
    ...reconcileEsm(config.environments),
    idleWaitSeconds: 1,
  });
  return {
    deps,
    source,
    reconcileDeps,
    reconcileSource,
    activity,
    get busy() {
      return source.busy + reconcileSource.busy;
    },
    async stop() {
      await Promise.all([source.stop(), reconcileSource.stop()]);
      await Promise.all([built.close(), builtReconcile.close()]);
    },
  };
}

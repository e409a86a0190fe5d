import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WorkerDeps } from '../../functions/sync-worker/build-deps';
import { readMirror } from '../adapters/mirror-pages';
import { type RelationshipRow, readMirrorRelationships } from '../adapters/mirror-relationships';
import type { MirrorRow } from '../adapters/mirror-sink';
import { SqsJobQueue } from '../adapters/sqs-job-queue';
import { type Config, ENV, loadConfig, toEnvironment } from '../config';
import { systemClock } from '../core/clock';
import type { JobInput } from '../core/jobs';
import type { IngestDeps } from '../core/webhook/ingest';
import type { QueueKey } from '../infra/resources';
import { OpsError } from '../ops/errors';
import { type JamaSimulator, type SimulatorOptions, startJamaSimulator } from '../simulator/server';
import { duplicatingScans } from './chaos-queue';
import type { SqsHandler } from './event-source';
import { jsonLinesPublisher } from './events-file';
import { type JamaMeter, type JamaStats, startJamaMeter } from './jama-meter';
import { type LocalEndpoints, openLocalAws } from './local-aws';
import { type LocalReconcile, localReconcile } from './local-reconcile';
import { type LocalWebhook, startLocalWebhook } from './local-webhook';
import {
  type EventSourceTuning,
  type LocalWorkers,
  startLocalWorkers,
  type WorkerQueue,
} from './local-workers';
import type { LocalResources } from './provision';

/** Slot lateness the local runtime accepts (see JAMA_SYNC_LIMITER_MAX_LATENESS_MS): MAX_CLOCK_SKEW_MS + SEND_JITTER_MS. */
export const LOCAL_MAX_LATENESS_MS = 61;

const DEPTH_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

export interface LocalStackOptions {
  /** Configuration variables (see src/config.ts); tables and queues are filled in by the stack. */
  env?: Record<string, string | undefined>;
  /** Start the bundled Jama simulator with these options when no `JAMA_SYNC_URL` is configured. */
  simulator?: SimulatorOptions;
  /** Start the simulator even though `env` configures Jama (tests pointing `env` at its port). */
  alwaysSimulate?: boolean;
  /** How the local event source mapping drives the worker on the jobs queue (as the Lambda ESM would). */
  eventSource?: EventSourceTuning | undefined;
  /** Prefix of table and queue names. @default 'jama-sync' */
  prefix?: string;
  /** Keep the embedded DynamoDB and SQS on disk here (durable local state). @default undefined (in memory) */
  dataDir?: string | undefined;
  /** Port of the webhook on 127.0.0.1. @default 0 (a free port) */
  webhookPort?: number | undefined;
  /** Replace parts of a worker deployment's dependencies (tests). */
  adjust?(deps: WorkerDeps, queue: WorkerQueue): WorkerDeps;
  /** Wraps each poller's handler of a deployment (e.g. to kill an invocation part-way). */
  wrapWorker?: ((handler: SqsHandler, queue: WorkerQueue) => SqsHandler) | undefined;
  /** Replace parts of the webhook's dependencies (tests). */
  adjustWebhook?: ((deps: IngestDeps) => IngestDeps) | undefined;
  /**
   * Faults of the delivery, to show they change nothing: `duplicateScans` sends every scan message
   * twice (SQS is at-least-once), from the reconcile function and from the workers.
   */
  chaos?: { duplicateScans?: boolean };
  /** Write change events as JSON lines to this file (`--events-out`). */
  eventsOut?: string | undefined;
}

/** The whole pipeline in one process: AWS stand-ins, the simulator or a real Jama, every function. */
export interface LocalStack {
  config: Readonly<Config>;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  resources: LocalResources;
  endpoints: LocalEndpoints;
  simulator?: JamaSimulator | undefined;
  workers: LocalWorkers;
  webhook: LocalWebhook;
  reconcile: LocalReconcile;
  enqueue(jobs: JobInput[]): Promise<void>;
  /** Messages in a queue: visible, in flight and delayed. */
  depth(queue?: QueueKey): Promise<number>;
  /** Messages waiting on the jobs and reconcile queues. */
  backlog(): Promise<number>;
  /** Jama calls of this process so far, per environment, counted in the Jama clients. */
  jama(): JamaStats;
  /** Per-second Jama calls of each environment since `since` (the dashboard's chart). */
  jamaHistory: JamaMeter['history'];
  /** Resolves once both queues are empty and nothing runs; `signal` ends the wait early. */
  idle(options?: { timeoutMs?: number; onTick?: () => void; signal?: AbortSignal }): Promise<void>;
  /** Up to 10 messages on the dead-letter queue (left there). */
  deadLetters(): Promise<Message[]>;
  /** Every mirror row of an environment. */
  mirror(env?: string): Promise<Map<number, MirrorRow>>;
  /** Every live relationship row of an environment. */
  relationships(env?: string): Promise<Map<number, RelationshipRow>>;
  stop(): Promise<void>;
}

/**
 * Starts jama-sync locally: DynamoDB and SQS (embedded dynalite and fauxqs on 127.0.0.1, or
 * `AWS_ENDPOINT_URL`), the Jama simulator unless `JAMA_SYNC_URL` is set, both sync-worker deployments
 * driven as Lambda's event source mappings drive them, the reconcile function and the webhook.
 *
 * @example
 * const stack = await startLocalStack({ simulator: { projects: 3, itemsPerProject: 100 }, env: { JAMA_SYNC_PROJECTS: '20,21,22' } });
 * await stack.reconcile.run({ mode: 'full' });
 * await stack.idle();
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? {};
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const aws = await openLocalAws(env, options.prefix ?? 'jama-sync', {
      dataDir: options.dataDir,
    });
    stops.push(aws.stop);
    const { resources, dynamodb, sqs } = aws;
    const clients = { dynamodb, sqs };

    const { simulator, jamaEnv } = await simulatorFor(env, options, stops);
    const fullEnv = localEnvironment(env, jamaEnv, resources);
    const config = loadConfig(fullEnv);
    const stats = startJamaMeter(config.environments);
    stops.push(async () => stats.stop());
    const duplicate = options.chaos?.duplicateScans === true;
    const workers = await startLocalWorkers({
      config,
      clients,
      resources,
      tuning: options.eventSource,
      adjust: (deps, queue) => {
        const adjusted = options.adjust ? options.adjust(deps, queue) : deps;
        if (!duplicate) return adjusted;
        return {
          ...adjusted,
          engine: { ...adjusted.engine, queue: duplicatingScans(adjusted.engine.queue) },
        };
      },
      wrap: options.wrapWorker,
      events: options.eventsOut ? jsonLinesPublisher(options.eventsOut, systemClock) : undefined,
    });
    stops.push(() => workers.stop());
    const reconcile = localReconcile(config, clients, duplicate ? duplicatingScans : undefined);
    stops.push(() => reconcile.close());
    const webhook = await startLocalWebhook({
      env: fullEnv,
      stateTable: resources.tables.state,
      jobsQueueUrl: resources.queues.jobs.url,
      clients,
      environments: config.environments.map((e) => e.name),
      port: options.webhookPort,
      adjust: options.adjustWebhook,
    });
    stops.push(() => webhook.close());

    const queue = new SqsJobQueue(sqs, resources.queues.jobs.url);
    const doc = DynamoDBDocumentClient.from(dynamodb);
    const depth: LocalStack['depth'] = (which = 'jobs') => queueDepth(sqs, resources.queues[which].url);
    const backlog = async () => (await depth('jobs')) + (await depth('reconcile'));
    const leftOver = async () =>
      (
        await Promise.all(
          (['jobs', 'reconcile'] as const).map((q) => describeQueue(sqs, q, resources.queues[q].url)),
        )
      ).join('; ');

    return {
      config,
      clients,
      resources,
      endpoints: aws.endpoints,
      simulator,
      workers,
      webhook,
      reconcile,
      enqueue: (jobs) => queue.send(jobs),
      depth,
      backlog,
      jama: () => stats.read(),
      jamaHistory: (since) => stats.history(since),
      idle: (idleOptions) => waitIdle(() => workers.busy + reconcile.running, backlog, leftOver, idleOptions),
      deadLetters: () => peekDeadLetters(sqs, resources.queues.jobsDlq.url),
      mirror: (envName = config.environments[0]?.name ?? 'default') =>
        readMirror(doc, resources.tables.mirror, envName),
      relationships: (envName = config.environments[0]?.name ?? 'default') =>
        readMirrorRelationships(doc, resources.tables.mirror, envName),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The Jama simulator, unless `env` names a Jama (or `alwaysSimulate`), and the variables that point at it. */
async function simulatorFor(
  env: Record<string, string | undefined>,
  options: LocalStackOptions,
  stops: (() => Promise<void>)[],
): Promise<{ simulator: JamaSimulator | undefined; jamaEnv: Record<string, string | undefined> }> {
  const configured = Boolean(env[ENV.url] || env[ENV.environments]);
  if (configured && !options.alwaysSimulate) return { simulator: undefined, jamaEnv: {} };
  const simulator = await startJamaSimulator(options.simulator);
  stops.push(() => simulator.close());
  const [client] = simulator.options.clients;
  const jamaEnv = configured
    ? {}
    : {
        [ENV.url]: simulator.url,
        [ENV.clientId]: client?.clientId,
        [ENV.clientSecret]: client?.clientSecret,
      };
  return { simulator, jamaEnv };
}

/** The functions' variables: the user's, the simulator's, and the local tables and queues. */
function localEnvironment(
  env: Record<string, string | undefined>,
  jamaEnv: Record<string, string | undefined>,
  resources: LocalResources,
): Record<string, string | undefined> {
  return {
    // One process, one clock: no skew between acquirers, so half of the 100 ms skew allowance
    // absorbs this busy event loop's timer lateness instead (src/config.ts).
    [ENV.limiterMaxLatenessMs]: String(LOCAL_MAX_LATENESS_MS),
    ...env,
    ...jamaEnv,
    // An empty JAMA_SYNC_MIRROR_TABLE turns the mirror off.
    [ENV.mirrorTable]: undefined,
    ...toEnvironment({
      stateTable: resources.tables.state,
      mirrorTable: env[ENV.mirrorTable] === '' ? undefined : resources.tables.mirror,
      jobsQueueUrl: resources.queues.jobs.url,
      deadLetterQueueUrl: resources.queues.jobsDlq.url,
      reconcileQueueUrl: resources.queues.reconcile.url,
    }),
  };
}

/** Messages on a queue: visible, in flight and delayed, in that order. */
async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<number[]> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...DEPTH_ATTRIBUTES] }),
  );
  return DEPTH_ATTRIBUTES.map((name) => Number(out.Attributes?.[name] ?? 0));
}

/** Messages on a queue: visible, in flight and delayed. */
async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  return (await queueCounts(sqs, queueUrl)).reduce((sum, n) => sum + n, 0);
}

/** Resolves once nothing runs and nothing waits, twice in a row (a batch may be between receive and invoke). */
async function waitIdle(
  busy: () => number,
  backlog: () => Promise<number>,
  leftOver: () => Promise<string>,
  { timeoutMs = 600_000, onTick, signal }: Parameters<LocalStack['idle']>[0] = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2 && !signal?.aborted) {
    if (Date.now() > deadline) {
      const running = busy();
      throw new OpsError(
        'OPERATION_FAILED',
        `backlog not drained after ${timeoutMs} ms: ${running} invocation${running === 1 ? '' : 's'} running; ${await leftOver()}`,
      );
    }
    onTick?.();
    quiet = busy() === 0 && (await backlog()) === 0 ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What waits on a queue, for a message that says why it has not drained. */
async function describeQueue(sqs: SQSClient, name: string, queueUrl: string): Promise<string> {
  const [visible, inFlight, delayed] = await queueCounts(sqs, queueUrl);
  return `${name} queue: ${visible} visible, ${inFlight} in flight, ${delayed} delayed`;
}

/** Up to 10 dead letters, left on the queue. */
async function peekDeadLetters(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
    }),
  );
  return out.Messages ?? [];
}

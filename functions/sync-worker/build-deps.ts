import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type BuildOptions, clientsOf } from '../../src/adapters/clients';
import type { DynamoDbRateLimiter } from '../../src/adapters/dynamodb-limiter/limiter';
import { EventBridgePublisher } from '../../src/adapters/eventbridge-publisher';
import { ForwardSink } from '../../src/adapters/forward-sink';
import { buildEnvironments, type JamaClients, jamaClientsOf } from '../../src/adapters/jama/environments';
import { jamaReferenceReader } from '../../src/adapters/jama/reference-reader';
import { DynamoDbMirror } from '../../src/adapters/mirror-sink';
import { DynamoDbPendingMarkers } from '../../src/adapters/pending-markers';
import { DynamoDbPushLedger } from '../../src/adapters/push-ledger';
import { DynamoDbReferenceStore } from '../../src/adapters/reference-store';
import { DynamoDbRunCursorStore } from '../../src/adapters/run-cursors';
import { sqsEventDeadLetters } from '../../src/adapters/sqs-event-dead-letters';
import { SqsJobQueue } from '../../src/adapters/sqs-job-queue';
import { SqsQuarantine } from '../../src/adapters/sqs-quarantine';
import { MirrorSweep } from '../../src/adapters/sweep';
import { DynamoDbReconcileState } from '../../src/adapters/watermarks';
import type { Config } from '../../src/config';
import { backoffDelayMs } from '../../src/core/backoff';
import type { Clock } from '../../src/core/clock';
import { ConfigError } from '../../src/core/errors';
import { ChangeEventSink } from '../../src/core/events/events-sink';
import type { ChangeEventPublisher } from '../../src/core/ports/change-event-publisher';
import type { SecretResolver } from '../../src/core/ports/secret-store';
import type { Sink } from '../../src/core/ports/sink';
import { makeScanCompletion } from '../../src/core/reconcile/complete';
import { withReadableValues } from '../../src/core/reference/readable-sink';
import { ReferenceResolver } from '../../src/core/reference/resolver';
import { QUEUES } from '../../src/infra/resources';
import type { SqsWorkerDeps } from './process-batch';
import { usageMeter } from './usage';

/** The worker's build options: the shared ones, and where change events go. */
export interface WorkerBuildOptions extends BuildOptions {
  /** Publishes change events instead of EventBridge (the local runtime's `--events-out`). */
  events?: ChangeEventPublisher | undefined;
  /** Pre-built EventBridge client (tests); otherwise built from the SDK's default chain. */
  eventBridge?: EventBridgeClient | undefined;
}

export interface WorkerDeps extends SqsWorkerDeps, JamaClients {
  /** Each environment's shared limiter (its DynamoDB call counts, for benchmarks). */
  limiters: Map<string, DynamoDbRateLimiter>;
}

/**
 * Wires the worker once per container: one DynamoDB-backed limiter and one Jama client per
 * environment, the configured sinks, and the queues.
 */
export async function buildWorkerDeps(
  config: Readonly<Config>,
  options: WorkerBuildOptions = {},
): Promise<WorkerDeps> {
  const { clock, dynamodb, sqs } = clientsOf(options);
  const environments = await buildEnvironments(config, dynamodb, options);
  const clients = jamaClientsOf(environments);
  const { jamaClients } = clients;

  const sinks: Sink[] = [];
  // Change events compare each write with the row it replaced, so the mirror returns it only then.
  const events = config.mirrorTable ? changeEventPublisher(config, sqs, clock, options) : undefined;
  const mirror = config.mirrorTable
    ? new DynamoDbMirror(dynamodb, config.mirrorTable, () => clock.now(), events !== undefined)
    : undefined;
  if (mirror) sinks.push(events ? new ChangeEventSink(mirror, events) : mirror);
  if (config.forward) {
    const secret =
      config.forward.secret ?? (await resolveForwardSecret(config.forward.secretArn, options.resolveSecret));
    sinks.push(new ForwardSink({ url: config.forward.url, secret, clock }));
  }
  if (sinks.length === 0)
    throw new ConfigError('No sink configured: set JAMA_SYNC_MIRROR_TABLE, JAMA_SYNC_FORWARD_URL, or both');

  const capMs = config.backoffCapSeconds * 1000;
  const queue = new SqsJobQueue(sqs, config.jobsQueueUrl);
  // Reconciliation: the last page of a run advances the watermark and, for full runs, sweeps.
  const state = new DynamoDbReconcileState(dynamodb, config.stateTable);
  const onScanComplete = makeScanCompletion({
    state,
    sweep: config.mirrorTable ? new MirrorSweep(dynamodb, config.mirrorTable) : undefined,
    queue,
    clock,
  });
  // The webhook's pending-pull markers are cleared before each read, so later changes queue a new pull.
  const markers = new DynamoDbPendingMarkers({ client: dynamodb, tableName: config.stateTable, clock });
  // Reference data, read once per environment and shared by every Lambda through the state table:
  // names for write-back, readable values for the sinks.
  const reference = new ReferenceResolver({
    reader: (name) => {
      const client = jamaClients.get(name);
      return client ? jamaReferenceReader(client) : undefined;
    },
    store: new DynamoDbReferenceStore(dynamodb, config.stateTable),
    clock,
  });
  // Malformed or unstorable items become their own dead letters; the rest of a page goes on.
  const quarantine = new SqsQuarantine(sqs, config.deadLetterQueueUrl, dynamodb, config.stateTable, clock);
  return {
    engine: {
      jama: (name) => jamaClients.get(name),
      sinks: withReadableValues(sinks, reference),
      quarantine,
      push: { reference, ledger: new DynamoDbPushLedger(dynamodb, config.stateTable, clock) },
      ...(mirror ? { index: mirror, itemProjects: mirror, relationshipSweep: mirror } : {}),
      relationships: (name) => jamaClients.get(name),
      queue,
      clock,
      onScanComplete,
      cursors: new DynamoDbRunCursorStore(dynamodb, config.stateTable),
      isLiveRun: async (job) =>
        (await state.currentRun(job.env, job.projectId, job.mode))?.runId === job.runId,
      beforePull: (env, itemIds) => markers.release(env, itemIds),
      scanRate: (name) => scanTargetRate(config.environments.find((e) => e.name === name)),
    },
    sqs,
    urls: { jobs: config.jobsQueueUrl, deadLetter: config.deadLetterQueueUrl },
    retry: {
      maxReceiveCount: QUEUES.jobs.deadLetter.maxReceiveCount,
      maxFailures: config.maxFailures,
      outageBudgetMs: config.outageBudgetSeconds * 1000,
      now: () => clock.now(),
      delayMs: (attempt) => backoffDelayMs(attempt, { capMs }),
      // Records not started (an environment's turn ended, or the deadline came) are visible again
      // at once, for whichever invocation is free: they wait in the queue, not for this one.
      deferredDelaySeconds: 0,
    },
    ...clients,
    limiters: new Map(environments.map((e) => [e.name, e.limiter])),
    usage: usageMeter(environments),
    softDeadlineMs: config.softDeadlineMs,
    quarantined: () => quarantine.drainCount(),
  };
}

/**
 * What an environment's reconciliation can fill on its own: 0.9 × its rate (the limiter's
 * ceiling) × its background share; its runs are split into enough slices to reach it.
 */
export function scanTargetRate(env: { rateLimit: number; backgroundShare: number } | undefined) {
  return env ? 0.9 * env.rateLimit * env.backgroundShare : undefined;
}

/** Change events go to EventBridge when `JAMA_SYNC_EVENT_BUS` is set, or wherever `options.events` says. */
function changeEventPublisher(
  config: Readonly<Config>,
  sqs: SQSClient,
  clock: Clock,
  options: WorkerBuildOptions,
): ChangeEventPublisher | undefined {
  if (options.events) return options.events;
  if (!config.eventBus) return undefined;
  return new EventBridgePublisher({
    client: options.eventBridge ?? new EventBridgeClient({}),
    busName: config.eventBus,
    deadLetter: sqsEventDeadLetters(sqs, config.deadLetterQueueUrl),
    clock,
  });
}

async function resolveForwardSecret(arn: string | undefined, resolve?: SecretResolver): Promise<string> {
  if (!arn || !resolve)
    throw new ConfigError(
      'JAMA_SYNC_FORWARD_SECRET or JAMA_SYNC_FORWARD_SECRET_ARN is required with JAMA_SYNC_FORWARD_URL',
    );
  const secret = await resolve(arn);
  if (!secret.secret) throw new ConfigError(`Secret ${arn} must hold {"secret": "…"} for the forward sink`);
  return secret.secret;
}

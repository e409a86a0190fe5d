import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../../src/core/errors';
import { QUEUES, WORKER_TIMEOUT_SECONDS } from '../../src/infra/resources';
import type { WorkerConcurrency } from '../config/sizing';
import { type FunctionSettings, SyncFunction } from './sync-function';
import type { SecretRef } from './sync-secrets';

export interface SyncWorkerProps extends WorkerConcurrency {
  entry: string;
  projectRoot: string;
  description: string;
  /** Must name `queue` as JAMA_SYNC_JOBS_QUEUE_URL: the worker re-sends and enqueues there. */
  environment: Record<string, string>;
  /** The queue this deployment drains (and re-sends throttled jobs and next scan pages to). */
  queue: IQueue;
  deadLetter: IQueue;
  stateTable: Table;
  mirrorTable?: Table | undefined;
  /** Jama credentials and the forward sink's secret. */
  secrets: readonly SecretRef[];
  /** Up to 50 pulls share one Jama call, so a batch should hold at least that many. @default 50 */
  batchSize?: number;
  /** Lets a batch fill up before it is delivered. @default 1 */
  batchingWindowSeconds?: number;
  /** The stack's shared function settings. */
  settings?: FunctionSettings | undefined;
}

export const WORKER_STATE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
export const WORKER_MIRROR_ACTIONS = ['dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/**
 * The sync worker, fed by one queue; jama-sync deploys it twice, on the jobs queue and on the
 * reconcile queue (src/infra/resources.ts, RECONCILE). See config/sizing.ts for how `maxConcurrency` and
 * reserved concurrency are chosen; the rate itself is held by the DynamoDB limiter.
 */
export class SyncWorker extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: SyncWorkerProps) {
    super(scope, id);
    // AWS: a visibility timeout of at least 6 × the function timeout, so a batch still being
    // processed (or retried by Lambda after a throttle) is not delivered to a second poller.
    for (const [key, spec] of Object.entries(QUEUES)) {
      if ('deadLetter' in spec && spec.visibilityTimeoutSeconds < 6 * WORKER_TIMEOUT_SECONDS) {
        throw new ConfigError(
          `QUEUES.${key}.visibilityTimeoutSeconds (${spec.visibilityTimeoutSeconds}) must be at least 6 × WORKER_TIMEOUT_SECONDS (${WORKER_TIMEOUT_SECONDS})`,
        );
      }
    }
    if (props.reservedConcurrency < props.maxConcurrency) {
      throw new ConfigError(
        `reservedConcurrency (${props.reservedConcurrency}) must be at least maxConcurrency (${props.maxConcurrency}), or Lambda throttles SQS deliveries`,
      );
    }

    const { fn, role } = new SyncFunction(this, 'Worker', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      serviceName: 'sync-worker',
      description: props.description,
      environment: props.environment,
      reservedConcurrency: props.reservedConcurrency,
      settings: props.settings,
      functionProps: { timeout: Duration.seconds(WORKER_TIMEOUT_SECONDS), memorySize: 512 },
    });
    this.fn = fn;

    const window = props.batchingWindowSeconds ?? 1;
    // Receive, delete and visibility changes on the queue come with the event source.
    fn.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize ?? 50,
        ...(window > 0 ? { maxBatchingWindow: Duration.seconds(window) } : {}),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );

    // Re-sends throttled jobs and enqueues next scan pages; hands records back with a delay.
    props.queue.grant(role, 'sqs:SendMessage', 'sqs:ChangeMessageVisibility');
    // Dead-letters real failures itself, with the reason as a message attribute.
    props.deadLetter.grant(role, 'sqs:SendMessage');
    // Limiter items (conditional UpdateItem, consistent GetItem); watermarks at the end of a scan
    // run (Get/Update/Put/Delete); pending-pull markers released in batches (BatchWriteItem).
    props.stateTable.grant(role, ...WORKER_STATE_ACTIONS);
    // Conditional PutItem per item; BatchGetItem of documentKeys so pulls can be batched; Query of
    // an environment's partition for a full run's sweep.
    // The table only: Table.grant would add its indexes (`/index/*`), which the worker never reads.
    if (props.mirrorTable) {
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: WORKER_MIRROR_ACTIONS, resources: [props.mirrorTable.tableArn] }),
      );
    }
    if (props.secrets.length > 0) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: props.secrets.map((s) => s.secretArn),
        }),
      );
    }
  }
}

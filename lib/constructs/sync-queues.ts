import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, type QueueKey } from '../../src/infra/resources';

/**
 * The queues of {@link QUEUES} (src/infra/resources.ts, shared with the local runtime), dead-letter
 * queues first so redrive policies can name them. Every queue is encrypted (SSE-SQS, no key to
 * manage) and refuses requests that do not use TLS.
 */
export class SyncQueues extends Construct {
  readonly queues: Readonly<Record<QueueKey, Queue>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const queues = {} as Record<QueueKey, Queue>;
    const ordered = (Object.keys(QUEUES) as QueueKey[]).sort(
      (a, b) => Number('deadLetter' in QUEUES[a]) - Number('deadLetter' in QUEUES[b]),
    );
    for (const key of ordered) {
      const spec = QUEUES[key];
      queues[key] = new Queue(this, key.charAt(0).toUpperCase() + key.slice(1), {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.seconds(spec.retentionSeconds),
        ...('deadLetter' in spec
          ? {
              deadLetterQueue: {
                queue: queues[spec.deadLetter.queue],
                maxReceiveCount: spec.deadLetter.maxReceiveCount,
              },
            }
          : {}),
      });
    }
    this.queues = queues;
  }

  /** The queue the webhook and reconcile functions feed and the worker drains. */
  get jobs(): Queue {
    return this.queues.jobs;
  }

  /** Where the worker dead-letters real failures (with a reason) and SQS moves over-received messages. */
  get deadLetter(): Queue {
    return this.queues[QUEUES.jobs.deadLetter.queue];
  }
}

import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { release } from './dead-letters';
import type { Deployment } from './deployment';
import { aws } from './errors';

export interface QueueStats {
  name: 'jobs' | 'reconcile' | 'dead letters';
  visible: number;
  inFlight: number;
  delayed: number;
  /** Age of the oldest message in seconds, where it can be known without disturbing the queue. */
  oldestAgeSeconds?: number;
}

const ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

async function counts(sqs: SQSClient, url: string) {
  const out = await aws(`read the attributes of ${url}`, () =>
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...ATTRIBUTES] })),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/**
 * Age of the oldest dead letter, from a peek that leaves the messages visible. Only the DLQ is
 * peeked: a receive counts toward `maxReceiveCount`, which on the worker queues would move jobs
 * nearer the DLQ (their oldest-message age is on the CloudWatch dashboard). SQS samples a subset
 * of its servers, so on a large DLQ this is a lower bound.
 */
async function oldestDeadLetterAge(d: Deployment, now: number): Promise<number | undefined> {
  const url = d.queues.deadLetter;
  const out = await aws('peek the dead-letter queue', () =>
    d.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    ),
  );
  // A zero visibility timeout on receive is not honoured everywhere (fauxqs hides them for its
  // default): make them visible again explicitly, or the next look counts them "in flight".
  await release(d, out.Messages ?? []);
  const sent = (out.Messages ?? []).map((m) => Number(m.Attributes?.SentTimestamp ?? now));
  return sent.length ? Math.max(0, Math.round((now - Math.min(...sent)) / 1000)) : undefined;
}

/** Depth of the jobs, reconcile and dead-letter queues; `peek` also dates the oldest dead letter. */
export async function queueStats(
  d: Deployment,
  { peek = true, now = Date.now() } = {},
): Promise<QueueStats[]> {
  const [jobs, reconcile, dlq] = await Promise.all([
    counts(d.sqs, d.queues.jobs),
    counts(d.sqs, d.queues.reconcile),
    counts(d.sqs, d.queues.deadLetter),
  ]);
  const age = peek && dlq.visible > 0 ? await oldestDeadLetterAge(d, now) : undefined;
  return [
    { name: 'jobs', ...jobs },
    { name: 'reconcile', ...reconcile },
    { name: 'dead letters', ...dlq, ...(age === undefined ? {} : { oldestAgeSeconds: age }) },
  ];
}

/** Messages waiting or running on a queue. */
export const total = (q: QueueStats) => q.visible + q.inFlight + q.delayed;

import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { chunk } from '../core/chunk';
import { StoreError } from '../core/errors';
import { type JobInput, serializeJob } from '../core/jobs';
import type { JobQueue } from '../core/ports/job-queue';

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH = 10;

/**
 * Sends message batches and resolves only when SQS accepted every entry: failed entries are
 * retried a few times, then the call rejects, naming how many were not queued.
 */
export async function sendAll(
  sqs: SQSClient,
  queueUrl: string,
  entries: SendMessageBatchRequestEntry[],
): Promise<void> {
  for (const group of chunk(entries, SQS_BATCH)) {
    let pending = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 3) {
        throw new StoreError(
          `SQS did not accept ${pending.length} message(s) for ${queueUrl} after ${attempt} attempts`,
        );
      }
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((e) => failed.has(e.Id));
    }
  }
}

/** The {@link JobQueue} port on SQS. */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(jobs: JobInput[], options: { delaySeconds?: number } = {}): Promise<void> {
    await sendAll(
      this.sqs,
      this.queueUrl,
      jobs.map((job, i) => ({
        Id: String(i),
        MessageBody: serializeJob(job),
        ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
      })),
    );
  }
}

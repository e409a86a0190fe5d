import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk } from '../core/chunk';
import type { JobMeta } from '../core/jobs';
import type { RecordAction } from '../core/worker/retry-policy';
import { sendAll } from './sqs-job-queue';

/** What the queue adapter needs of a received SQS message. */
export interface ReceivedRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
}

export interface QueueUrls {
  jobs: string;
  deadLetter: string;
}

/** Message attribute naming why a message was dead-lettered. */
export const REASON_ATTRIBUTE = 'jama-sync-reason';

/**
 * Carries out the retry policy's decisions on SQS. Returns the message ids to report in
 * `batchItemFailures`: records handed back through their visibility timeout, and any record whose
 * re-send or dead-lettering did not go through (so it is never lost, only retried).
 */
export async function applyActions(
  sqs: SQSClient,
  urls: QueueUrls,
  decisions: { record: ReceivedRecord; action: RecordAction }[],
): Promise<string[]> {
  const failed = new Set<string>();

  const later = decisions.filter((d) => d.action.action === 'retry-later');
  for (const group of chunk(later, 10)) {
    for (const d of group) failed.add(d.record.messageId);
    // Best effort: if the visibility change fails, the message still comes back after the
    // queue's default visibility timeout.
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: urls.jobs,
          Entries: group.map((d, i) => ({
            Id: String(i),
            ReceiptHandle: d.record.receiptHandle,
            VisibilityTimeout: (d.action as { delaySeconds: number }).delaySeconds,
          })),
        }),
      )
      .catch(() => undefined);
  }

  await Promise.all(
    decisions.map(async ({ record, action }) => {
      try {
        if (action.action === 'resend') {
          await sendAll(sqs, urls.jobs, [
            { Id: '0', MessageBody: withMeta(record.body, action.meta), DelaySeconds: action.delaySeconds },
          ]);
        } else if (action.action === 'dead-letter') {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: urls.deadLetter,
              MessageBody: record.body,
              MessageAttributes: {
                [REASON_ATTRIBUTE]: {
                  DataType: 'String',
                  StringValue: action.reason.slice(0, 1000) || 'unknown',
                },
              },
            }),
          );
        }
      } catch {
        failed.add(record.messageId);
      }
    }),
  );
  return [...failed];
}

function withMeta(body: string, meta: JobMeta): string {
  return JSON.stringify({ ...(JSON.parse(body) as object), meta });
}

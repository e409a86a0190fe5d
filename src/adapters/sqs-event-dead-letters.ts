import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailedEntry } from './eventbridge-publisher';
import { REASON_ATTRIBUTE } from './sqs-record-actions';

/**
 * Dead-letters change events that could not be published: one message per entry on the shared
 * dead-letter queue, body `{"kind":"change-event","entry":{…}}`, the reason in the same message
 * attribute the worker uses for jobs, so `jama-sync dlq` lists them with why.
 */
export function sqsEventDeadLetters(sqs: SQSClient, queueUrl: string) {
  return async (entries: readonly FailedEntry[]): Promise<void> => {
    for (const { entry, reason } of entries) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ kind: 'change-event', entry }),
          MessageAttributes: {
            [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: reason.slice(0, 1000) || 'unknown' },
          },
        }),
      );
    }
  };
}

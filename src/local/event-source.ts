import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { chunk } from '../core/chunk';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Called once per concurrent poller, as Lambda gives each concurrent execution its own instance. */
  handler: () => SqsHandler;
  /** Records per invocation (Lambda: 1–10,000 on standard queues). @default 10 */
  batchSize?: number;
  /** Seconds to wait for a batch to fill (Lambda: 0–300). @default 0 */
  batchingWindowSeconds?: number;
  /** Concurrent invocations (Lambda's `maximumConcurrency`, ≥ 2). @default 2 */
  maxConcurrency?: number;
  /** Function timeout given to the handler's context. @default 60 */
  timeoutSeconds?: number;
  /** Long-poll wait when the queue is empty. @default 1 */
  idleWaitSeconds?: number;
  region?: string;
  /** Observes each invocation (for progress and tests). */
  onInvoke?(info: { records: number; failures: number; error?: unknown }): void;
}

export interface EventSource {
  /** Invocations that are running now. */
  readonly busy: number;
  readonly stats: { invocations: number; records: number; failures: number; errors: number };
  stop(): Promise<void>;
}

/**
 * A local stand-in for Lambda's SQS event source mapping: pollers receive up to `batchSize`
 * records within the batching window, invoke the handler with a Lambda-shaped SQSEvent, delete
 * every record not listed in `batchItemFailures` (none if the handler throws), and run at most
 * `maxConcurrency` invocations at once. Failed records reappear after their visibility timeout,
 * and SQS's own redrive policy moves them to the DLQ — exactly as in AWS.
 */
export function startEventSource(options: EventSourceOptions): EventSource {
  const batchSize = options.batchSize ?? 10;
  const windowMs = (options.batchingWindowSeconds ?? 0) * 1000;
  const timeoutMs = (options.timeoutSeconds ?? 60) * 1000;
  const region = options.region ?? 'us-east-1';
  const controller = new AbortController();
  const stats = { invocations: 0, records: 0, failures: 0, errors: 0 };
  let busy = 0;

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: controller.signal },
    );
    return out.Messages ?? [];
  };

  const gather = async (): Promise<Message[]> => {
    const batch = await receive(batchSize, options.idleWaitSeconds ?? 1);
    const deadline = Date.now() + windowMs;
    while (batch.length > 0 && batch.length < batchSize && !controller.signal.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      // Long polls wait whole seconds; the window is not stretched to the next one (Lambda's is
      // exact): under a second left, short polls every 50 ms.
      const wait = Math.min(20, Math.floor(left / 1000));
      const more = await receive(batchSize - batch.length, wait);
      batch.push(...more);
      if (more.length === 0 && wait === 0) await new Promise((r) => setTimeout(r, Math.min(50, left)));
    }
    return batch;
  };

  const invoke = async (handler: SqsHandler, messages: Message[]) => {
    busy++;
    stats.invocations++;
    stats.records += messages.length;
    const context = lambdaContext(stats.invocations, timeoutMs);
    let failed = new Set<string>();
    let error: unknown;
    try {
      const response = await handler(
        { Records: messages.map((m) => toRecord(m, options.queueArn, region)) },
        context,
      );
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (thrown) {
      error = thrown;
      stats.errors++;
      failed = new Set(messages.map((m) => m.MessageId as string));
    } finally {
      busy--;
    }
    stats.failures += failed.size;
    await deleteMessages(
      options.sqs,
      options.queueUrl,
      messages.filter((m) => !failed.has(m.MessageId as string)),
    );
    options.onInvoke?.({ records: messages.length, failures: failed.size, ...(error ? { error } : {}) });
  };

  const poller = async () => {
    const handler = options.handler();
    while (!controller.signal.aborted) {
      try {
        const messages = await gather();
        if (messages.length > 0) await invoke(handler, messages);
      } catch (error) {
        if (controller.signal.aborted) return;
        stats.errors++;
        options.onInvoke?.({ records: 0, failures: 0, error });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  const pollers = Array.from({ length: options.maxConcurrency ?? 2 }, () => poller());
  return {
    get busy() {
      return busy;
    },
    stats,
    async stop() {
      controller.abort();
      await Promise.allSettled(pollers);
    },
  };
}

/** The Lambda context of one local invocation: its deadline counts from now. */
function lambdaContext(invocation: number, timeoutMs: number): Context {
  const started = Date.now();
  return {
    functionName: 'sync-worker-local',
    awsRequestId: `local-${invocation}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  } as unknown as Context;
}

/** Deletes the records a batch processed (those not in `batchItemFailures`), as the mapping does. */
async function deleteMessages(sqs: SQSClient, queueUrl: string, done: readonly Message[]): Promise<void> {
  for (const group of chunk(done, 10)) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: group.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }
}

function toRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId as string,
    receiptHandle: m.ReceiptHandle as string,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? '0',
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        {
          stringValue: v.StringValue,
          dataType: v.DataType ?? 'String',
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  } as SQSRecord;
}

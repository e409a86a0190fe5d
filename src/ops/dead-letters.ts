import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { sendAll } from '../adapters/sqs-job-queue';
import { REASON_ATTRIBUTE } from '../adapters/sqs-record-actions';
import { chunk } from '../core/chunk';
import { type Job, parseJob } from '../core/jobs';
import type { Deployment } from './deployment';
import { aws } from './errors';

export interface DeadLetter {
  messageId: string;
  sentAt?: number;
  receiveCount: number;
  /** Why it was dead-lettered: the worker's `jama-sync-reason`, or SQS's redrive policy. */
  reason: string;
  /** One line: kind, environment, item or project, failures. */
  summary: string;
  body: string;
  /** The parsed job, or undefined for a malformed body (it would be dead-lettered again at once). */
  job?: Job;
}

/** Seconds received dead letters stay hidden while a command works on them. */
const HOLD_SECONDS = 60;

function describe(m: Message): DeadLetter {
  const body = m.Body ?? '';
  const parsed = parseJob(body);
  const attributes = m.Attributes ?? {};
  const reason =
    m.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue ??
    'no reason recorded: SQS moved it after too many receives (the worker crashed or timed out on it)';
  let summary = parsed.ok ? '' : (changeEventSummary(body) ?? `malformed: ${parsed.reason}`);
  if (parsed.ok) {
    const job = parsed.job;
    const what =
      job.kind === 'scan' || job.kind === 'relationship-scan'
        ? `project ${job.projectId} (${job.mode} run ${job.runId}, page ${job.page})`
        : job.kind === 'relationship-pull'
          ? `relationships ${job.relationshipIds.join(', ')}`
          : `item ${job.itemId}${'documentKey' in job && job.documentKey ? ` (${job.documentKey})` : ''}`;
    // The reason of a worker's dead letter says how often it failed (the job's count predates the last one).
    const failures = /^failed \d+ times/.test(reason) ? '' : `, ${job.meta?.failures ?? 0} failed attempts`;
    summary = `${job.kind} ${job.env} ${what}${failures}`;
  }
  return {
    messageId: m.MessageId ?? '',
    ...(attributes.SentTimestamp ? { sentAt: Number(attributes.SentTimestamp) } : {}),
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
    reason,
    summary,
    body,
    ...(parsed.ok ? { job: parsed.job } : {}),
  };
}

/** Receives up to `max` dead letters, hiding them for {@link HOLD_SECONDS}. */
async function receive(d: Deployment, max: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  while (seen.size < max) {
    const out = await aws('receive from the dead-letter queue', () =>
      d.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: d.queues.deadLetter,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          MessageAttributeNames: [REASON_ATTRIBUTE],
        }),
      ),
    );
    const batch = out.Messages ?? [];
    if (batch.length === 0) break;
    for (const m of batch) if (m.MessageId) seen.set(m.MessageId, m);
  }
  return [...seen.values()];
}

/** Makes received dead letters visible again at once. */
export async function release(d: Pick<Deployment, 'sqs' | 'queues'>, messages: Message[]) {
  for (const group of chunk(messages, 10)) {
    await aws('release dead letters', () =>
      d.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: d.queues.deadLetter,
          Entries: group.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      ),
    );
  }
}

/** A change event the worker could not publish (src/adapters/sqs-event-dead-letters.ts), or undefined. */
function changeEventSummary(body: string): string | undefined {
  try {
    const letter = JSON.parse(body) as { kind?: unknown; entry?: { DetailType?: unknown; Detail?: unknown } };
    if (letter.kind !== 'change-event') return undefined;
    return `change event ${String(letter.entry?.DetailType)} (not a job: redrive leaves it; republish its entry with PutEvents)`;
  } catch {
    return undefined;
  }
}

/** The dead letters (up to `max`), oldest first; they stay in the queue. */
export async function listDeadLetters(d: Deployment, max = 100): Promise<DeadLetter[]> {
  const messages = await receive(d, max);
  await release(d, messages);
  return messages.map(describe).sort((a, b) => (a.sentAt ?? 0) - (b.sentAt ?? 0));
}

export interface RedriveResult {
  toJobs: number;
  toReconcile: number;
  /** Malformed bodies: left in the DLQ, since they would be dead-lettered again at once. */
  malformed: string[];
  /** Requested ids that were not found in the DLQ. */
  missing: string[];
}

/**
 * Moves dead letters back for fresh attempts: scan pages to the reconcile queue, every other job
 * to the jobs queue, each without the `meta` it carried (failure and throttle counts, last error).
 * A message is deleted from the DLQ only after its copy was accepted.
 */
export async function redrive(
  d: Deployment,
  select: { ids?: string[]; max?: number },
): Promise<RedriveResult> {
  const messages = await receive(d, select.max ?? 10_000);
  const wanted = select.ids ? new Set(select.ids) : undefined;
  const chosen = messages.filter((m) => !wanted || wanted.has(m.MessageId ?? ''));
  await release(
    d,
    messages.filter((m) => !chosen.includes(m)),
  );
  const letters = chosen.map((m) => ({ message: m, letter: describe(m) }));
  const result: RedriveResult = {
    toJobs: 0,
    toReconcile: 0,
    malformed: letters.filter((l) => !l.letter.job).map((l) => l.letter.messageId),
    missing: select.ids?.filter((id) => !messages.some((m) => m.MessageId === id)) ?? [],
  };
  await release(
    d,
    letters.filter((l) => !l.letter.job).map((l) => l.message),
  );
  for (const { message, letter } of letters) {
    if (!letter.job) continue;
    const { meta: _dropped, ...fresh } = letter.job;
    const toReconcile = fresh.kind === 'scan' || fresh.kind === 'relationship-scan';
    const queue = toReconcile ? d.queues.reconcile : d.queues.jobs;
    await aws('send to the queue', () =>
      sendAll(d.sqs, queue, [{ Id: '0', MessageBody: JSON.stringify(fresh) }]),
    );
    await aws('delete from the dead-letter queue', () =>
      d.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: d.queues.deadLetter,
          Entries: [{ Id: '0', ReceiptHandle: message.ReceiptHandle ?? '' }],
        }),
      ),
    );
    if (toReconcile) result.toReconcile++;
    else result.toJobs++;
  }
  return result;
}

import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MirrorRow } from '../../src/adapters/mirror-sink';
import { REASON_ATTRIBUTE } from '../../src/adapters/sqs-record-actions';
import type { JamaItem } from '../../src/simulator/server';

export interface DeadLetter {
  itemId: number | undefined;
  kind: string | undefined;
  reason: string | undefined;
}

/** An item whose mirror row is not Jama's latest state and whose job is not in the DLQ. */
export interface Mismatch {
  itemId: number;
  expected: { deleted: boolean; modifiedDate?: string; fields?: Record<string, unknown> };
  actual: (Pick<MirrorRow, 'deleted' | 'modifiedDate' | 'version'> & { fields?: unknown }) | undefined;
}

export interface Verdict {
  checked: number;
  synced: number;
  /** Not synced, but a job for the item is in the DLQ with a reason. */
  deadLettered: number;
  mismatches: Mismatch[];
  deadLetters: DeadLetter[];
  withoutReason: DeadLetter[];
}

/** Every message in the DLQ (each receive hides the ones it returns, so this drains it). */
export async function drainDeadLetters(sqs: SQSClient, queueUrl: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (let empty = 0; empty < 2; ) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 300,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) empty++;
    for (const m of messages) {
      let job: { itemId?: unknown; kind?: unknown } = {};
      try {
        job = JSON.parse(m.Body ?? '');
      } catch {}
      out.push({
        itemId: typeof job.itemId === 'number' ? job.itemId : undefined,
        kind: typeof job.kind === 'string' ? job.kind : undefined,
        reason: m.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue,
      });
    }
  }
  return out;
}

/**
 * The end state the chaos suite demands: each item in `itemIds` is in the mirror exactly as Jama
 * has it now (a live row with Jama's modifiedDate and fields, or a tombstone if Jama deleted it),
 * unless a job for it sits in the DLQ with a reason; and no dead letter lacks a reason.
 */
export function judge(
  itemIds: Iterable<number>,
  jama: (id: number) => JamaItem | undefined,
  mirror: ReadonlyMap<number, MirrorRow>,
  deadLetters: DeadLetter[],
): Verdict {
  const withReason = new Set(deadLetters.filter((d) => d.reason).map((d) => d.itemId));
  const verdict: Verdict = {
    checked: 0,
    synced: 0,
    deadLettered: 0,
    mismatches: [],
    deadLetters,
    withoutReason: deadLetters.filter((d) => !d.reason),
  };
  for (const itemId of new Set(itemIds)) {
    verdict.checked++;
    const item = jama(itemId);
    const row = mirror.get(itemId);
    const ok = item
      ? row?.deleted === false &&
        row.modifiedDate === item.modifiedDate &&
        JSON.stringify(sorted(row.item?.fields)) === JSON.stringify(sorted(item.fields))
      : row?.deleted === true;
    if (ok) verdict.synced++;
    else if (withReason.has(itemId)) verdict.deadLettered++;
    else {
      verdict.mismatches.push({
        itemId,
        expected: item
          ? { deleted: false, modifiedDate: item.modifiedDate, fields: item.fields }
          : { deleted: true },
        actual: row && {
          deleted: row.deleted,
          version: row.version,
          ...(row.modifiedDate ? { modifiedDate: row.modifiedDate } : {}),
          fields: row.item?.fields,
        },
      });
    }
  }
  return verdict;
}

function sorted(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

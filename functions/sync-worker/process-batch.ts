import type { SQSClient } from '@aws-sdk/client-sqs';
import { applyActions, type QueueUrls, type ReceivedRecord } from '../../src/adapters/sqs-record-actions';
import { decide, type RetryPolicyConfig } from '../../src/core/worker/retry-policy';
import { type EngineDeps, type RecordResult, runBatch } from '../../src/core/worker/sync-engine';
import type { EnvironmentUsage } from './usage';

export interface SqsWorkerDeps {
  engine: EngineDeps;
  sqs: SQSClient;
  urls: QueueUrls;
  retry: RetryPolicyConfig;
  /** Observes every record's result (logging, metrics). */
  onResult?(result: RecordResult): void;
  /** Jama calls, 429s and limiter rate per environment since the last batch (metrics). */
  usage?(): Promise<EnvironmentUsage[]>;
  /** Stop starting new work this long before the Lambda deadline (config `softDeadlineMs`). */
  softDeadlineMs?: number;
  /** Items quarantined since the last batch (metrics). */
  quarantined?(): number;
}

export interface SqsRecordLike extends ReceivedRecord {
  attributes: { ApproximateReceiveCount: string };
}

/**
 * One SQS batch, end to end: run the jobs, decide each record's fate, carry it out on SQS, and
 * return the message ids to report in `batchItemFailures` (the event source mapping deletes the rest).
 */
export async function processSqsBatch(
  records: readonly SqsRecordLike[],
  deps: SqsWorkerDeps,
  signal?: AbortSignal,
): Promise<string[]> {
  const results = await runBatch(
    records.map((r) => ({ id: r.messageId, body: r.body })),
    deps.engine,
    signal,
  );
  const decisions = results.map((result, i) => {
    const record = records[i] as SqsRecordLike;
    deps.onResult?.(result);
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    return { record, action: decide(result.outcome, receiveCount, result.meta, deps.retry) };
  });
  return applyActions(deps.sqs, deps.urls, decisions);
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ReconcileMode, ReconcileStateStore, RunLease, Watermark } from '../core/ports/reconcile-state';
import { conditional } from './conditional';

/** State-table key of a project's watermark. */
export const watermarkKey = (env: string, projectId: number) => `watermark#${env}#${projectId}`;

/** State-table key of a project's run lease for one mode. */
export const runKey = (env: string, projectId: number, mode: ReconcileMode) =>
  `run#${env}#${projectId}#${mode}`;

/**
 * Watermarks and run leases in the state table, one item each: `watermark#<env>#<projectId>`
 * holds `at` (epoch ms) and the `runId` that set it; `run#<env>#<projectId>#<mode>` holds the
 * run in progress. Every write is conditional, so a watermark never moves backwards however late
 * a retried page completes, and two runs of one mode never hold the same project.
 */
export class DynamoDbReconcileState implements ReconcileStateStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async watermark(env: string, projectId: number): Promise<Watermark | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: watermarkKey(env, projectId) },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item || typeof item.at !== 'number') return undefined;
    return { at: item.at, runId: String(item.runId ?? '') };
  }

  advanceWatermark(env: string, projectId: number, { at, runId }: Watermark): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: watermarkKey(env, projectId) },
          UpdateExpression: 'SET #at = :at, runId = :r',
          ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': at, ':r': runId },
        }),
      ),
    );
  }

  claimRun(
    env: string,
    projectId: number,
    mode: ReconcileMode,
    lease: RunLease,
    staleBefore: number,
  ): Promise<boolean> {
    return conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: runKey(env, projectId, mode), runId: lease.runId, startedAt: lease.startedAt },
          ConditionExpression:
            'attribute_not_exists(pk) OR attribute_exists(finishedAt) OR startedAt < :stale',
          ExpressionAttributeValues: { ':stale': staleBefore },
        }),
      ),
    );
  }

  async finishRun(env: string, projectId: number, mode: ReconcileMode, runId: string, at: number) {
    await conditional(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: runKey(env, projectId, mode) },
          UpdateExpression: 'SET finishedAt = :at',
          ConditionExpression: 'runId = :r',
          ExpressionAttributeValues: { ':at': at, ':r': runId },
        }),
      ),
    );
  }

  async currentRun(env: string, projectId: number, mode: ReconcileMode) {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: runKey(env, projectId, mode) },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item || typeof item.runId !== 'string') return undefined;
    return {
      runId: item.runId,
      startedAt: Number(item.startedAt ?? 0),
      ...(typeof item.finishedAt === 'number' ? { finishedAt: item.finishedAt } : {}),
    };
  }

  takeOverRun(env: string, projectId: number, mode: ReconcileMode, staleRunId: string, lease: RunLease) {
    return conditional(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: runKey(env, projectId, mode), runId: lease.runId, startedAt: lease.startedAt },
          ConditionExpression: 'runId = :stale AND attribute_not_exists(finishedAt)',
          ExpressionAttributeValues: { ':stale': staleRunId },
        }),
      ),
    );
  }

  async releaseRun(env: string, projectId: number, mode: ReconcileMode, runId: string) {
    await conditional(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: runKey(env, projectId, mode) },
          ConditionExpression: 'runId = :r',
          ExpressionAttributeValues: { ':r': runId },
        }),
      ),
    );
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SweepCandidate, SweepSource } from '../core/ports/reconcile-state';
import { mirrorPages } from './mirror-pages';

/**
 * Reads the mirror for a full run's sweep: the environment's partition, filtered to live rows of
 * the project that the run did not mark. Rows written before mirror rows carried `projectId` are
 * matched by their item's `project`. The query reads the whole partition (filters do not save
 * read capacity); once a day that is cheap next to the Jama calls of the run itself — a GSI on
 * env+project would make it proportional to the project if partitions grow large.
 */
export class MirrorSweep implements SweepSource {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async *unseen(env: string, projectId: number, runId: string): AsyncIterable<SweepCandidate> {
    const pages = mirrorPages(this.doc, this.tableName, env, {
      FilterExpression:
        'deleted = :f AND (projectId = :p OR #item.#project = :p) AND ' +
        '(attribute_not_exists(lastSeenRun) OR lastSeenRun <> :r)',
      ProjectionExpression: 'itemId, documentKey',
      ExpressionAttributeNames: { '#item': 'item', '#project': 'project' },
      ExpressionAttributeValues: { ':f': false, ':p': projectId, ':r': runId },
    });
    for await (const page of pages) {
      for (const row of page.Items ?? []) {
        const documentKey = typeof row.documentKey === 'string' ? row.documentKey : undefined;
        yield { itemId: Number(row.itemId), ...(documentKey ? { documentKey } : {}) };
      }
    }
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRunCursorStore } from '../../../src/adapters/run-cursors';
import type { ClaimRequest } from '../../../src/core/reconcile/cursor';
import { clientConfig, type EmbeddedAws, startEmbeddedAws } from '../../../src/local/embedded-aws';
import { openLocalAws } from '../../../src/local/local-aws';
import { provisionLocal } from '../../../src/local/provision';

describe('embedded AWS stand-ins with a data directory', () => {
  let dir: string;
  let aws: EmbeddedAws | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jama-sync-durable-'));
  });
  afterAll(async () => {
    await aws?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps tables, rows, queues and unacknowledged messages across a restart, on the same ports', async () => {
    aws = await startEmbeddedAws({ dataDir: dir });
    const first = { dynamodb: aws.dynamodb, sqs: aws.sqs };
    let ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
    let sqs = new SQSClient(clientConfig(aws, 'sqs'));
    let resources = await provisionLocal({ dynamodb: ddb, sqs }, 'durable');
    await DynamoDBDocumentClient.from(ddb).send(
      new PutCommand({ TableName: resources.tables.state, Item: { pk: 'kept', n: 1 } }),
    );
    for (let i = 0; i < 300; i++)
      await sqs.send(
        new SendMessageCommand({ QueueUrl: resources.queues.jobs.url, MessageBody: `job ${i}` }),
      );
    ddb.destroy();
    sqs.destroy();
    await aws.stop();

    aws = await startEmbeddedAws({ dataDir: dir });
    expect({ dynamodb: aws.dynamodb, sqs: aws.sqs }).toEqual(first);
    ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
    sqs = new SQSClient(clientConfig(aws, 'sqs'));
    resources = await provisionLocal({ dynamodb: ddb, sqs }, 'durable');
    const row = await DynamoDBDocumentClient.from(ddb).send(
      new GetCommand({ TableName: resources.tables.state, Key: { pk: 'kept' } }),
    );
    expect(row.Item).toEqual({ pk: 'kept', n: 1 });
    const bodies = new Set<string>();
    for (let empty = 0; empty < 2; ) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: resources.queues.jobs.url, MaxNumberOfMessages: 10 }),
      );
      if (!out.Messages?.length) empty++;
      for (const m of out.Messages ?? []) bodies.add(m.Body as string);
    }
    expect(bodies.size).toBe(300);
    ddb.destroy();
    sqs.destroy();
  });

  it('frees the reconcile slices the last process held, so a restart resumes them at once', async () => {
    const slice = (n: number, token: string, owner: string): ClaimRequest => ({
      key: { env: 'default', projectId: 20, kind: 'items', runId: 'run-1', slice: n },
      token,
      owner,
      now: Date.now(),
      leaseMs: 60_000,
      graceMs: 60_000,
      initial: { from: 0, skip: 0, pages: 0, items: 0 },
    });
    const leasesDir = await mkdtemp(join(tmpdir(), 'jama-sync-leases-'));
    try {
      const first = await openLocalAws({}, 'leases', { dataDir: leasesDir });
      let cursors = new DynamoDbRunCursorStore(first.dynamodb, first.resources.tables.state);
      // Slice 0 is held by the process about to die; slice 1 was handed back (its message carries t1b).
      expect(await cursors.claim(slice(0, 't0', 'dead-0'))).toMatchObject({ ok: true });
      expect(await cursors.claim(slice(1, 't1', 'dead-1'))).toMatchObject({ ok: true });
      expect(await cursors.handBack(slice(1, 't1', 'dead-1').key, 'dead-1', 't1b', Date.now())).toBe(true);
      // Held: another reader is told to come back after the lease.
      expect(await cursors.claim(slice(0, 't0', 'other'))).toMatchObject({ ok: false, reason: 'busy' });
      await first.stop();

      const second = await openLocalAws({}, 'leases', { dataDir: leasesDir });
      try {
        cursors = new DynamoDbRunCursorStore(second.dynamodb, second.resources.tables.state);
        expect(await cursors.claim(slice(0, 't0', 'restart'))).toMatchObject({ ok: true });
        expect(await cursors.claim(slice(1, 't1b', 'restart'))).toMatchObject({ ok: true });
        // Nothing else changed: the old token of the handed-back slice is still refused.
        expect(await cursors.claim(slice(1, 't1', 'late'))).toMatchObject({ ok: false, reason: 'busy' });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(leasesDir, { recursive: true, force: true });
    }
  });
});

import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { EventBridgePublisher, type FailedEntry } from '../../../src/adapters/eventbridge-publisher';
import { DynamoDbMirror } from '../../../src/adapters/mirror-sink';
import { sqsEventDeadLetters } from '../../../src/adapters/sqs-event-dead-letters';
import type { ChangeEvent } from '../../../src/core/events/change-events';
import { ChangeEventSink } from '../../../src/core/events/events-sink';
import { formatJamaDate, parseJamaDate } from '../../../src/core/jama-date';
import type { JamaItem } from '../../../src/core/jama-types';
import type { SinkRecord } from '../../../src/core/ports/sink';
import { type TestAws, testAws } from '../../support/aws';
import { FakeClock } from '../../support/fake-clock';
import { startFakeEventBridge } from '../../support/fake-eventbridge';

const item = (modified: number, fields: Record<string, unknown>): JamaItem => ({
  id: 4711,
  documentKey: 'PUMP-REQ-12',
  project: 20,
  itemType: 24,
  modifiedDate: formatJamaDate(modified),
  fields,
});
const record = (it: JamaItem): SinkRecord => ({
  kind: 'item',
  itemId: it.id,
  documentKey: it.documentKey,
  modifiedAt: parseJamaDate(it.modifiedDate),
  item: it,
});

describe('change events', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await testAws('events');
  });
  afterAll(() => aws.stop());

  it('an edit of 3 fields yields one event naming them with before/after; re-syncing it yields none', async () => {
    const published: ChangeEvent[] = [];
    const mirror = new DynamoDbMirror(aws.dynamodb(), aws.tables.mirror, Date.now, true);
    const sink = new ChangeEventSink(mirror, { publish: async (events) => void published.push(...events) });
    const v1 = item(Date.UTC(2026, 0, 1), {
      name: 'Alarm',
      status: 150,
      priority$24: 160,
      description: '<p>x</p>',
    });
    const v2 = item(Date.UTC(2026, 0, 2), {
      name: 'Loud alarm',
      status: 152,
      priority$24: 161,
      description: '<p>x</p>',
    });

    await sink.write('prod', [record(v1)]);
    expect(published.map((e) => [e.detailType, e.detail.change])).toEqual([['Jama Item Changed', 'created']]);
    published.length = 0;

    await sink.write('prod', [record(v2)]);
    expect(published).toHaveLength(1);
    expect(published[0]?.detail).toMatchObject({
      env: 'prod',
      project: 20,
      itemId: 4711,
      documentKey: 'PUMP-REQ-12',
      change: 'updated',
      changedFields: ['name', 'priority$24', 'status'],
      changes: [
        { field: 'name', before: 'Alarm', after: 'Loud alarm' },
        { field: 'priority$24', before: 160, after: 161 },
        { field: 'status', before: 150, after: 152 },
      ],
      previousModifiedDate: v1.modifiedDate,
    });

    published.length = 0;
    await sink.write('prod', [record(v2)]); // the same version again (a full run re-marking it)
    await sink.write('prod', [record(v1)]); // an older, stale read
    expect(published).toHaveLength(0);

    await sink.write('prod', [{ kind: 'tombstone', itemId: 4711, deletedAt: Date.UTC(2026, 0, 3) }]);
    await sink.write('prod', [{ kind: 'tombstone', itemId: 4711, deletedAt: Date.UTC(2026, 0, 3) }]);
    expect(published.map((e) => [e.detailType, e.detail.documentKey])).toEqual([
      ['Jama Item Deleted', 'PUMP-REQ-12'],
    ]);
  });

  it('retries the entries a PutEvents call reports failed, and dead-letters what keeps failing with a reason', async () => {
    // Entries 3 and 7 fail on the first call only; entry 11 always fails.
    const bus = await startFakeEventBridge((detail, call) => {
      if (detail.n === 11) return 'InternalFailure';
      return call === 0 && (detail.n === 3 || detail.n === 7) ? 'ThrottlingException' : undefined;
    });
    const client = new EventBridgeClient({
      endpoint: bus.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const dead: FailedEntry[] = [];
    const publisher = new EventBridgePublisher({
      client,
      busName: 'default',
      attempts: 3,
      clock: new FakeClock(0),
      deadLetter: async (entries) => void dead.push(...entries),
    });
    const events: ChangeEvent[] = Array.from({ length: 12 }, (_, n) => ({
      detailType: 'Jama Item Changed',
      detail: { env: 'prod', n },
    }));
    try {
      await publisher.publish(events);
      // Batches of 10 and 2; the first batch's 2 throttled entries retried alone; entry 11 three times.
      expect(bus.calls.map((c) => c.entries.length)).toEqual([10, 2, 2, 1, 1]);
      expect(bus.calls[0]?.entries[0]).toMatchObject({
        Source: 'jama-sync',
        DetailType: 'Jama Item Changed',
        EventBusName: 'default',
      });
      const delivered = bus.calls.flatMap((c, call) =>
        c.entries
          .map((e) => JSON.parse(e.Detail).n as number)
          .filter((n) => n !== 11 && !(call === 0 && (n === 3 || n === 7))),
      );
      expect(delivered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(dead).toHaveLength(1);
      expect(JSON.parse(dead[0]?.entry.Detail ?? '{}')).toEqual({ env: 'prod', n: 11 });
      expect(dead[0]?.reason).toMatch(/InternalFailure.*gave up after 3 attempts/);

      // The reason reaches the dead-letter queue beside the entry.
      const sqs = aws.sqs();
      await sqsEventDeadLetters(sqs, aws.queues.jobsDlq.url)(dead);
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: aws.queues.jobsDlq.url,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 1,
        }),
      );
      const letter = out.Messages?.[0];
      expect(JSON.parse(letter?.Body ?? '{}')).toMatchObject({
        kind: 'change-event',
        entry: { DetailType: 'Jama Item Changed' },
      });
      expect(letter?.MessageAttributes?.['jama-sync-reason']?.StringValue).toMatch(/InternalFailure/);
    } finally {
      client.destroy();
      await bus.close();
    }
  });
});

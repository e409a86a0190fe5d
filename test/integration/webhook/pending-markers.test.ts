import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbPendingMarkers } from '../../../src/adapters/pending-markers';
import { type TestAws, testAws } from '../../support/aws';
import { FakeClock } from '../../support/fake-clock';

describe('pending-pull markers on the state table', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await testAws('pending-markers');
  });
  afterAll(() => aws.stop());

  const markers = (clock = new FakeClock(), ttlSeconds = 900) =>
    new DynamoDbPendingMarkers({ client: aws.dynamodb(), tableName: aws.tables.state, clock, ttlSeconds });

  const stored = async (env: string) => {
    const out = await aws.dynamodb().send(new ScanCommand({ TableName: aws.tables.state }));
    return (out.Items ?? [])
      .map((i) => i.pk?.S ?? '')
      .filter((pk) => pk.startsWith(`pending#${env}#`))
      .sort();
  };

  it('claims an item once; a second claim finds it pending', async () => {
    const m = markers();
    expect(await m.claim('a', [1, 2, 2])).toEqual({ claimed: expect.arrayContaining([1, 2]), pending: [] });
    expect(await m.claim('a', [2, 3])).toEqual({ claimed: [3], pending: [2] });
    expect(await m.claim('b', [2])).toEqual({ claimed: [2], pending: [] });
    expect(await stored('a')).toEqual(['pending#a#1', 'pending#a#2', 'pending#a#3']);
  });

  it('treats an expired marker as absent, since DynamoDB deletes expired items lazily', async () => {
    const clock = new FakeClock();
    const m = markers(clock, 60);
    expect((await m.claim('ttl', [1])).claimed).toEqual([1]);
    clock.advance(30_000);
    expect((await m.claim('ttl', [1])).pending).toEqual([1]);
    clock.advance(31_000);
    expect((await m.claim('ttl', [1])).claimed).toEqual([1]);
  });

  it('lets exactly one of many concurrent claims of an item win', async () => {
    const m = markers();
    const results = await Promise.all(Array.from({ length: 20 }, () => m.claim('race', [7])));
    expect(results.filter((r) => r.claimed.length === 1)).toHaveLength(1);
  });

  it('releases markers in batches of 25, duplicates and absent ones included', async () => {
    const m = markers();
    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    await m.claim('rel', ids);
    await m.release('rel', [...ids, ...ids.slice(0, 10), 1000]);
    expect(await stored('rel')).toEqual([]);
    expect((await m.claim('rel', [5])).claimed).toEqual([5]);
  });

  it('reports a store failure instead of throwing, keeping what it did claim', async () => {
    const m = new DynamoDbPendingMarkers({ client: aws.dynamodb(), tableName: 'no-such-table' });
    const result = await m.claim('x', [1, 2]);
    expect(result.claimed).toEqual([]);
    expect(result.error).toBeInstanceOf(Error);
  });
});

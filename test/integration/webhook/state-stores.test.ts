import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbPushLedger } from '../../../src/adapters/push-ledger';
import { DynamoDbReferenceStore } from '../../../src/adapters/reference-store';
import { DynamoDbReplayGuard, nonceKey } from '../../../src/adapters/replay-nonces';
import { type TestAws, testAws } from '../../support/aws';
import { FakeClock } from '../../support/fake-clock';

describe('write-back and replay stores on the state table', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await testAws('state-stores');
  });
  afterAll(() => aws.stop());

  it('remembers a request until its window ends, forgets it on demand, and keeps it under nonce#', async () => {
    const guard = new DynamoDbReplayGuard(aws.dynamodb(), aws.tables.state);
    const t0 = Date.UTC(2026, 1, 1);
    expect(await guard.remember('ci', 'sha256=ab', t0 + 300_000, t0)).toBe(true);
    expect(await guard.remember('ci', 'sha256=ab', t0 + 300_000, t0 + 299_000)).toBe(false);
    expect(await guard.remember('other', 'sha256=ab', t0 + 300_000, t0)).toBe(true);
    // Expired but not yet removed by TTL: a new request with that signature is accepted.
    expect(await guard.remember('ci', 'sha256=ab', t0 + 700_000, t0 + 301_000)).toBe(true);
    const key = nonceKey('ci', 'sha256=ab');
    expect(key).toMatch(/^nonce#ci#[\w-]{43}$/);
    const nonce = await aws
      .dynamodb()
      .send(new GetItemCommand({ TableName: aws.tables.state, Key: { pk: { S: key } } }));
    expect(nonce.Item?.expiresAt?.N).toBe(String((t0 + 700_000) / 1000));
    await guard.forget('ci', 'sha256=ab');
    expect(await guard.remember('ci', 'sha256=ab', t0 + 700_000, t0 + 302_000)).toBe(true);
  });

  it('shares reference lists (gzipped, with a TTL) in one item per environment, one read for many look-ups', async () => {
    const store = new DynamoDbReferenceStore(aws.dynamodb(), aws.tables.state);
    const entries = Array.from({ length: 3000 }, (_, id) => ({
      id,
      username: `user${id}`,
      email: `user${id}@example.com`,
    }));
    await store.put('prod', 'users', { fetchedAt: 123, entries }, 900_123);
    await store.put('prod', 'itemTypes', { fetchedAt: 456, entries: [{ id: 24 }] }, 900_456);
    const client = aws.dynamodb();
    const reads = jest.spyOn(client, 'send');
    const other = new DynamoDbReferenceStore(client, aws.tables.state);
    expect(await other.get('prod', 'users')).toEqual({ fetchedAt: 123, entries });
    expect(await other.get('prod', 'itemTypes')).toEqual({ fetchedAt: 456, entries: [{ id: 24 }] });
    expect(await other.get('prod', 'projects')).toBeUndefined();
    expect(await other.get('test', 'users')).toBeUndefined();
    expect(reads).toHaveBeenCalledTimes(2); // one GetItem per environment
    reads.mockRestore();
    const raw = await aws
      .dynamodb()
      .send(new GetItemCommand({ TableName: aws.tables.state, Key: { pk: { S: 'ref#prod' } } }));
    expect(raw.Item?.expiresAt?.N).toBe('901');
    expect(raw.Item?.['l:users']?.B?.byteLength).toBeLessThan(100_000);
  });

  it('lets one push hold an item, records per-field decisions, and lets a crashed push claim again', async () => {
    const clock = new FakeClock(Date.UTC(2026, 1, 1));
    const ledger = new DynamoDbPushLedger(aws.dynamodb(), aws.tables.state, clock);
    expect(await ledger.claim('prod', 7, 'a', clock.now() + 60_000)).toEqual({});
    expect(await ledger.claim('prod', 7, 'b', clock.now() + 60_000)).toBe('busy');
    expect(await ledger.claim('prod', 7, 'a', clock.now() + 60_000)).toEqual({}); // the same job, retried
    await ledger.commit('prod', 7, 'a', { status: { at: 5, job: 'a' }, priority$24: { at: 5, job: 'a' } });
    expect(await ledger.claim('prod', 7, 'b', clock.now() + 60_000)).toEqual({
      status: { at: 5, job: 'a' },
      priority$24: { at: 5, job: 'a' },
    });
    await ledger.release('prod', 7, 'b');
    await ledger.claim('prod', 7, 'c', clock.now() + 1000);
    clock.advance(2000); // c crashed; its claim lapsed
    expect(await ledger.claim('prod', 7, 'd', clock.now() + 1000)).toMatchObject({ status: { at: 5 } });
    await expect(ledger.commit('prod', 7, 'c', { status: { at: 9, job: 'c' } })).rejects.toThrow();
  });
});

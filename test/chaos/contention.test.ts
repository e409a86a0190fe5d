import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRateLimiter } from '../../src/adapters/dynamodb-limiter/limiter';
import { DynamoDbMirror, type MirrorRow } from '../../src/adapters/mirror-sink';
import { formatJamaDate } from '../../src/core/jama-date';
import type { JamaItem } from '../../src/core/jama-types';
import type { SinkRecord } from '../../src/core/ports/sink';
import { maxInAnyWindow } from '../../src/simulator/rate-window';
import { type TestAws, testAws } from '../support/aws';
import { prng } from './events';
import { MonotonicityWatcher } from './watcher';

const BASE = Date.parse('2026-01-01T00:00:00Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Version `k` of row `itemId`: an item modified at BASE + k s, or (if `tombstone`) its deletion then. */
function recordOf(itemId: number, k: number, tombstone: boolean): SinkRecord {
  const at = BASE + k * 1000;
  if (tombstone) return { kind: 'tombstone', itemId, deletedAt: at };
  const item = {
    id: itemId,
    documentKey: `C-${itemId}`,
    project: 20,
    modifiedDate: formatJamaDate(at),
    fields: { name: `version ${k}` },
  };
  return {
    kind: 'item',
    itemId,
    documentKey: `C-${itemId}`,
    modifiedAt: at,
    item: item as unknown as JamaItem,
  };
}

// Servers start and stop in hooks and runs take seconds: more than jest's 5 s default.
jest.setTimeout(60_000);

describe('DynamoDB conditional-write contention', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await testAws('chaos-contention');
  });
  afterAll(() => aws?.stop());

  it('8 writers racing 25 versions of 20 rows in random order, twice each: newest wins, nothing goes back', async () => {
    const rows = 20;
    const versions = 25;
    const env = 'contention';
    const random = prng(42);
    // Every (row, version) twice — a duplicate delivery — and the last version of odd rows a delete.
    const writes = Array.from({ length: rows * versions * 2 }, (_, i) => {
      const k = 1 + (Math.floor(i / 2) % versions);
      const itemId = 1 + Math.floor(i / (2 * versions));
      return { itemId, k, record: recordOf(itemId, k, k === versions && itemId % 2 === 1) };
    });
    for (let i = writes.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [writes[i], writes[j]] = [writes[j] as (typeof writes)[number], writes[i] as (typeof writes)[number]];
    }

    const doc = DynamoDBDocumentClient.from(aws.dynamodb());
    const read = async () => {
      const out = await doc.send(
        new QueryCommand({
          TableName: aws.tables.mirror,
          KeyConditionExpression: 'env = :e',
          ExpressionAttributeValues: { ':e': env },
        }),
      );
      return new Map((out.Items ?? []).map((r) => [Number(r.itemId), r as MirrorRow]));
    };
    const watcher = new MonotonicityWatcher(read);
    watcher.start(20);

    // Highest version each row is known to hold: a write that returned `written`.
    const confirmed = new Map<number, number>();
    const lostRaces: unknown[] = [];
    const statuses: Record<string, number> = {};
    const newestWritten = new Set<number>();
    const writer = async () => {
      const mirror = new DynamoDbMirror(aws.dynamodb(), aws.tables.mirror);
      for (let next = writes.shift(); next; next = writes.shift()) {
        const before = confirmed.get(next.itemId) ?? 0;
        const [result] = await mirror.write(env, [next.record]);
        const status = result?.status ?? 'missing';
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 'written') {
          if (before > next.k) lostRaces.push({ itemId: next.itemId, wrote: next.k, after: before });
          confirmed.set(next.itemId, Math.max(before, next.k, confirmed.get(next.itemId) ?? 0));
          if (next.k === versions) newestWritten.add(next.itemId);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    await watcher.stop();

    expect(statuses.failed ?? 0).toBe(0);
    expect(statuses.stale).toBeGreaterThan(0); // the race was real
    expect(lostRaces).toEqual([]);
    expect(watcher.regressions).toEqual([]);
    expect(watcher.polls).toBeGreaterThan(5);
    // Every row's newest version was accepted (equal versions rewrite), and is what the row holds.
    expect(newestWritten.size).toBe(rows);
    const final = await read();
    for (let itemId = 1; itemId <= rows; itemId++) {
      const row = final.get(itemId);
      expect(row?.version).toBe(BASE + versions * 1000);
      if (itemId % 2 === 1) expect(row).toMatchObject({ deleted: true });
      else expect(row).toMatchObject({ deleted: false, item: { fields: { name: `version ${versions}` } } });
    }
  });

  it('12 limiter instances on one item: at most 10 calls in any second, and four 429 reports at once cut the rate once', async () => {
    const clients: DynamoDBClient[] = [];
    const limiters = Array.from({ length: 12 }, () => {
      const client = new DynamoDBClient(aws.dynamodbConfig);
      clients.push(client);
      return new DynamoDbRateLimiter({ client, tableName: aws.tables.state, environment: 'contention' });
    });
    const slots: { slotAt: number; acquiredAt: number }[] = [];
    let stop = false;
    const acquirer = async (limiter: DynamoDbRateLimiter) => {
      while (!stop) {
        try {
          slots.push(await limiter.acquireSlot());
        } catch (error) {
          await sleep(Math.min(500, (error as { retryAfterMs?: number }).retryAfterMs ?? 100));
        }
      }
    };
    const running = Promise.all(limiters.map(acquirer));
    await sleep(1500);
    // Four Lambdas meet a 429 (Retry-After: 4 s) at the same moment and report it.
    const throttledAt = Date.now();
    await Promise.all(limiters.slice(0, 4).map((l) => l.onThrottled(4000)));
    const reported = Date.now();
    const state = await (limiters[0] as DynamoDbRateLimiter).readState();
    await sleep(5000);
    stop = true;
    await running;
    for (const c of clients) c.destroy();

    const config = (limiters[0] as DynamoDbRateLimiter).config;
    const conflicts = limiters.reduce((n, l) => n + l.stats.conflicts, 0);
    expect(conflicts).toBeGreaterThan(0); // the writers really raced
    expect(maxInAnyWindow(slots.map((s) => s.acquiredAt))).toBeLessThanOrEqual(10);
    expect(slots.length).toBeGreaterThan(20);
    // Cut once (× cutFactor), not once per report.
    expect(state?.rate).toBeLessThan(config.ceiling);
    expect(state?.rate).toBeGreaterThan(config.ceiling * config.cutFactor ** 2);
    // No slot reserved after the reports lies inside the pause: only ones reserved before it (at most
    // maxWaitMs ahead) are used up.
    const inPause = slots.filter(
      (s) => s.slotAt > reported + config.maxWaitMs + config.toleranceMs && s.slotAt < throttledAt + 4000,
    );
    expect(inPause).toEqual([]);
  });
});

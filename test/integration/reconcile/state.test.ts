import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbMirror } from '../../../src/adapters/mirror-sink';
import { MirrorSweep } from '../../../src/adapters/sweep';
import { DynamoDbReconcileState } from '../../../src/adapters/watermarks';
import type { SinkRecord } from '../../../src/core/ports/sink';
import { itemRecord } from '../../../src/core/worker/pull';
import { type TestAws, testAws } from '../../support/aws';
import { item } from '../../support/fakes';

const T0 = Date.UTC(2026, 0, 1);
type ItemRecord = Extract<SinkRecord, { kind: 'item' }>;
let aws: TestAws;
let ddb: DynamoDBClient;
beforeAll(async () => {
  aws = await testAws('reconcile');
  ddb = aws.dynamodb();
});
afterAll(() => aws.stop());

describe('reconcile state in DynamoDB', () => {
  it('moves a watermark forward only', async () => {
    const state = new DynamoDbReconcileState(ddb, aws.tables.state);
    expect(await state.watermark('prod', 20)).toBeUndefined();
    expect(await state.advanceWatermark('prod', 20, { at: T0, runId: 'a' })).toBe(true);
    expect(await state.advanceWatermark('prod', 20, { at: T0 - 1, runId: 'b' })).toBe(false);
    expect(await state.advanceWatermark('prod', 20, { at: T0, runId: 'c' })).toBe(false);
    expect(await state.watermark('prod', 20)).toEqual({ at: T0, runId: 'a' });
    expect(await state.advanceWatermark('prod', 20, { at: T0 + 1, runId: 'd' })).toBe(true);
    expect(await state.watermark('prod', 21)).toBeUndefined();
  });

  it('holds one run of a mode per project until it finishes, is released, or goes stale', async () => {
    const state = new DynamoDbReconcileState(ddb, aws.tables.state);
    const claim = (runId: string, startedAt: number, staleBefore = 0) =>
      state.claimRun('prod', 30, 'full', { runId, startedAt }, staleBefore);
    expect(await claim('r1', T0)).toBe(true);
    expect(await claim('r2', T0 + 1)).toBe(false);
    expect(await state.claimRun('prod', 30, 'incremental', { runId: 'i1', startedAt: T0 }, 0)).toBe(true);
    await state.finishRun('prod', 30, 'full', 'other', T0 + 2); // not the holder: no effect
    expect(await claim('r2', T0 + 2)).toBe(false);
    await state.finishRun('prod', 30, 'full', 'r1', T0 + 3);
    expect(await claim('r3', T0 + 4)).toBe(true);
    await state.releaseRun('prod', 30, 'full', 'r3');
    expect(await claim('r4', T0 + 5)).toBe(true);
    expect(await claim('r5', T0 + 6, T0 + 6)).toBe(true); // r4 started before the stale line
  });
});

describe('mirror marks and sweep', () => {
  it('finds the live rows of a project that a full run did not mark', async () => {
    const mirror = new DynamoDbMirror(ddb, aws.tables.mirror);
    const sweep = new MirrorSweep(ddb, aws.tables.mirror);
    const marked = (id: number, seenRun: string) => ({ ...(itemRecord(item(id)) as ItemRecord), seenRun });
    const never = itemRecord(item(3));
    const other = itemRecord(item(4, { project: 21 }));
    const gone: SinkRecord = { kind: 'tombstone', itemId: 5, deletedAt: T0 };
    await mirror.write('sweep', [marked(1, 'full-2'), marked(2, 'full-1'), never, other, gone]);
    // A same-version rewrite by a later full run still lands and re-marks the row.
    await mirror.write('sweep', [marked(2, 'full-2')]);

    const found = [];
    for await (const c of sweep.unseen('sweep', 20, 'full-2')) found.push(c);
    expect(found).toEqual([{ itemId: 3, documentKey: 'P-REQ-3' }]);
  });
});

describe('mirror: tombstones against sightings', () => {
  const FUTURE = Date.UTC(2099, 0, 1);
  const live = (id: number, observedAt?: number) => ({
    ...(itemRecord(item(id)) as ItemRecord),
    ...(observedAt === undefined ? {} : { observedAt }),
  });
  const rowOf = async (mirror: DynamoDbMirror, env: string, id: number) =>
    (await mirror.lookup(env, [id])).get(id);

  it('lets a later sighting of the item alive replace any tombstone, even one dated 2099', async () => {
    const mirror = new DynamoDbMirror(ddb, aws.tables.mirror);
    // An unconfirmed tombstone from before deletes were verified, dated by a sender's occurredAt.
    await mirror.write('tomb', [{ kind: 'tombstone', itemId: 1, deletedAt: FUTURE }]);
    expect(await mirror.write('tomb', [live(1, T0)])).toEqual([{ itemId: 1, status: 'written' }]);
    expect(await rowOf(mirror, 'tomb', 1)).toMatchObject({ deleted: false });
  });

  it('keeps a confirmed tombstone against a read made before the confirmation, and yields to one after', async () => {
    const mirror = new DynamoDbMirror(ddb, aws.tables.mirror);
    await mirror.write('tomb', [live(2, T0)]);
    const gone: SinkRecord = { kind: 'tombstone', itemId: 2, deletedAt: T0 + 10, observedAt: T0 + 10 };
    expect(await mirror.write('tomb', [gone])).toEqual([{ itemId: 2, status: 'written' }]);
    expect(await mirror.write('tomb', [live(2, T0 + 5)])).toEqual([{ itemId: 2, status: 'stale' }]);
    expect(await rowOf(mirror, 'tomb', 2)).toMatchObject({ deleted: true });
    expect(await mirror.write('tomb', [live(2, T0 + 20)])).toEqual([{ itemId: 2, status: 'written' }]);
    expect(await rowOf(mirror, 'tomb', 2)).toMatchObject({ deleted: false });
  });

  it('reports ids it never held as absent from the index', async () => {
    const mirror = new DynamoDbMirror(ddb, aws.tables.mirror);
    await mirror.write('tomb', [live(3, T0)]);
    const entries = await mirror.lookup('tomb', [3, 999]);
    expect([...entries]).toEqual([[3, { deleted: false, documentKey: 'P-REQ-3' }]]);
  });
});

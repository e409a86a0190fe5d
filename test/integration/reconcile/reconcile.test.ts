import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbReconcileState } from '../../../src/adapters/watermarks';
import { parseJamaDate } from '../../../src/core/jama-date';
import type { JamaItem } from '../../../src/simulator/server';
import { type Pipeline, startPipeline } from '../../support/pipeline';

const PROJECTS = { JAMA_SYNC_PROJECTS: '20,21,22' };

/** Live mirror rows must be exactly the simulator's items, by id and modifiedDate. */
async function expectMirrorEqualsJama(p: Pipeline) {
  const mirror = await p.mirror();
  const live = [...mirror.values()].filter((r) => !r.deleted);
  const expected = p.simulator.items();
  expect(new Map(live.map((r) => [r.itemId, r.modifiedDate]))).toEqual(
    new Map(expected.map((it) => [it.id, it.modifiedDate])),
  );
  return mirror;
}

const ours = (p: Pipeline) => p.simulator.calls().filter((c) => !c.foreign);

describe('scheduled reconciliation', () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('copies 3 projects × 2,000 items into an empty mirror in at most 1.1 × items/50 + 10 calls', async () => {
    p = await startPipeline({ simulator: { projects: 3, itemsPerProject: 2000, seed: 5 }, env: PROJECTS });
    const summary = await p.reconcile({ mode: 'incremental' });
    expect(summary.started.map((s) => [s.projectId, s.from])).toEqual([
      [20, 0],
      [21, 0],
      [22, 0],
    ]);

    // Webhook-driven pulls issued mid-run are not starved: they finish while the scans still run.
    while ((await p.mirror()).size < 300) await new Promise((r) => setTimeout(r, 100));
    const edited = p.simulator
      .items()
      .slice(0, 20)
      .map((it) => p?.simulator.updateItem(it.id, { name: 'hot' }));
    const asked = Date.now();
    await p.enqueue(
      (edited as JamaItem[]).map((it) => ({
        v: 1 as const,
        env: 'default',
        kind: 'pull' as const,
        itemId: it.id,
        documentKey: it.documentKey,
      })),
    );
    let pulledIn = Number.POSITIVE_INFINITY;
    // Point reads of the 20 rows: reading the whole mirror every 100 ms would starve the workers.
    const doc = DynamoDBDocumentClient.from(p.dynamodb);
    const rows = async () => {
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [(p as Pipeline).resources.tables.mirror]: {
              Keys: (edited as JamaItem[]).map((it) => ({ env: 'default', itemId: it.id })),
              ConsistentRead: true,
            },
          },
        }),
      );
      const items = out.Responses?.[(p as Pipeline).resources.tables.mirror] ?? [];
      return new Map(items.map((r) => [Number(r.itemId), String(r.modifiedDate)]));
    };
    while (Date.now() - asked < 10_000) {
      const mirror = await rows();
      if ((edited as JamaItem[]).every((it) => mirror.get(it.id) === it.modifiedDate)) {
        pulledIn = Date.now() - asked;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const reconcileBacklog = await p.depth(p.resources.queues.reconcile.url);
    await p.idle(120_000);

    expect(pulledIn).toBeLessThan(6000);
    expect(reconcileBacklog).toBeGreaterThan(0); // the pulls really overlapped the scans
    const calls = ours(p);
    const span = ((calls.at(-1)?.at ?? 0) - (calls[0]?.at ?? 0)) / 1000;
    console.info(
      `reconcile 3 × 2000: ${calls.length} Jama calls over ${span} s; mid-run pulls in ${pulledIn} ms`,
    );
    expect(calls.length).toBeLessThanOrEqual(1.1 * (6000 / 50) + 10);
    expect(calls.filter((c) => c.status === 429)).toHaveLength(0);
    expect(p.simulator.stats().maxAcceptedInAnyWindowOurs).toBeLessThanOrEqual(10);
    await expectMirrorEqualsJama(p);
    expect(await p.deadLetters()).toHaveLength(0);

    // The watermark is the newest change seen, capped at the run's start (the 20 edits came later).
    const state = new DynamoDbReconcileState(p.dynamodb, p.resources.tables.state);
    const newestSeeded = Math.max(
      ...p.simulator
        .items()
        .filter((it) => it.project === 21)
        .map((it) => parseJamaDate(it.lastActivityDate)),
    );
    expect(await state.watermark('default', 21)).toEqual({ at: newestSeeded, runId: summary.runId });
  }, 180_000);

  it('after 25 deletes and 100 edits, one incremental run and one full sweep make the mirror equal again', async () => {
    p = await startPipeline({ simulator: { projects: 3, itemsPerProject: 300, seed: 9 }, env: PROJECTS });
    await p.reconcile({ mode: 'incremental' });
    await p.idle();
    await expectMirrorEqualsJama(p);

    const items = p.simulator.items();
    const deleted = items.filter((_, i) => i % 7 === 3).slice(0, 25);
    const edited = items.filter((_, i) => i % 7 === 5).slice(0, 100);
    for (const it of deleted) p.simulator.deleteItem(it.id);
    for (const it of edited) p.simulator.updateItem(it.id, { name: `edited ${it.id}` });
    // A row whose deletion no activity reports (e.g. it predates the activity window): only the sweep finds it.
    const ghost = {
      env: 'default',
      itemId: 999_999,
      documentKey: 'GONE-1',
      projectId: 20,
      version: 1,
      deleted: false,
    };
    await DynamoDBDocumentClient.from(p.dynamodb).send(
      new PutCommand({ TableName: p.resources.tables.mirror, Item: { ...ghost, syncedAt: 1 } }),
    );
    p.simulator.resetStats();

    const incremental = await p.reconcile({ mode: 'incremental' });
    expect(incremental.started.reduce((n, s) => n + s.deletes, 0)).toBe(25);
    await p.idle();
    const incrementalCalls = ours(p).length;
    let mirror = await p.mirror();
    for (const it of deleted) expect(mirror.get(it.id)).toMatchObject({ deleted: true });
    expect(mirror.get(ghost.itemId)?.deleted).toBe(false);

    await p.reconcile({ mode: 'full' });
    await p.idle();
    mirror = await expectMirrorEqualsJama(p);
    for (const it of deleted) expect(mirror.get(it.id)).toMatchObject({ deleted: true });
    expect(mirror.get(ghost.itemId)).toMatchObject({ deleted: true });
    expect(mirror.get(edited[0]?.id as number)?.lastSeenRun).toMatch(/^full-/);
    console.info(
      `incremental after changes: ${incrementalCalls} calls; full sweep: ${ours(p).length - incrementalCalls}`,
    );
    expect(incrementalCalls).toBeLessThanOrEqual(12);
    expect(await p.deadLetters()).toHaveLength(0);
  }, 60_000);
});

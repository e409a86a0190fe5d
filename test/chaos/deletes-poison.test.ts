import { readQuarantineCount } from '../../src/adapters/sqs-quarantine';
import { defaultWorkerEsm } from '../../src/local/local-workers';
import { type Pipeline, startPipeline } from '../support/pipeline';
import { CHAOS } from './scale';
import { drainDeadLetters } from './verdict';

/**
 * The "Why" of issue 16, reproduced against the whole pipeline: deletes a sender dates in 2099 or
 * not at all, deletes of live items and of ids that never existed; a page holding a malformed item
 * and one of 500 KB. Each must end with Jama's truth in the mirror and nothing else stopped.
 */
const SOURCE = { name: 'ci', env: 'default', secret: 'deletes-poison-webhook-secret-0123' };
const ours = (p: Pipeline) => p.simulator.calls().filter((c) => !c.foreign);
const reads = (p: Pipeline, since: number) =>
  ours(p).filter((c) => c.at >= since && /\/rest\/v1\/(abstractitems|items\/)/.test(c.path));

jest.setTimeout(CHAOS.testTimeoutMs);

describe(`verified deletes and poison isolation (${CHAOS.items} items)`, () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('never hides a live item on a webhook’s word, and tombstones nothing that never existed', async () => {
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: CHAOS.items / 2, seed: 3 },
      env: { JAMA_SYNC_PROJECTS: '20' },
      webhook: { sources: [SOURCE] },
    });
    await p.reconcile({ mode: 'full' });
    await p.idle(CHAOS.drainTimeoutMs);
    const [future, undated, gone] = p.simulator.items();
    if (!future || !undated || !gone) throw new Error('the simulator has too few items');
    p.simulator.deleteItem(gone.id);
    const post = (events: unknown[]) => p?.webhook?.post('ci', { events }) as Promise<{ status: number }>;

    const before = Date.now();
    expect(
      await post([
        { type: 'item.deleted', itemId: future.id, occurredAt: Date.UTC(2099, 0, 1) },
        { type: 'item.deleted', itemId: undated.id },
        { type: 'item.deleted', itemId: gone.id, occurredAt: Date.UTC(2099, 0, 1) },
      ]),
    ).toMatchObject({ status: 202 });
    await p.idle(CHAOS.drainTimeoutMs);
    let mirror = await p.mirror();
    // The two live items stay live; the one Jama no longer has is tombstoned, dated no later than now.
    expect(mirror.get(future.id)).toMatchObject({ deleted: false, modifiedDate: future.modifiedDate });
    expect(mirror.get(undated.id)).toMatchObject({ deleted: false });
    expect(mirror.get(gone.id)).toMatchObject({ deleted: true });
    expect(mirror.get(gone.id)?.version).toBeLessThanOrEqual(Date.now());
    // Three deletes cost one documentKey call and one GET to confirm the one that is gone.
    expect(reads(p, before).map((c) => c.path.split('?')[0])).toEqual([
      '/rest/v1/abstractitems',
      `/rest/v1/items/${gone.id}`,
    ]);

    // 300 ids nobody ever had: at most one batched check, no tombstones.
    const rows = mirror.size;
    const unknown = Array.from({ length: 300 }, (_, i) => ({
      type: 'item.deleted',
      itemId: 900_000 + i,
      ...(i % 2 ? { documentKey: `NOPE-${i}` } : {}),
    }));
    const sent = Date.now();
    expect(await post(unknown)).toMatchObject({ status: 202 });
    await p.idle(CHAOS.drainTimeoutMs);
    const checks = reads(p, sent);
    process.stdout.write(`deletes: 300 unknown ids cost ${checks.length} Jama calls\n`);
    // Each worker batch (at most the deployed batch size, 50 jobs) checks its keyed ids with one
    // documentKey call; the 150 without a key cost nothing. Never one GET per id.
    expect(checks.length).toBeLessThanOrEqual(Math.ceil(unknown.length / defaultWorkerEsm(10).batchSize));
    expect(checks.filter((c) => c.path.startsWith('/rest/v1/items/'))).toEqual([]);
    mirror = await p.mirror();
    expect(mirror.size).toBe(rows);

    // 300 updates of ids nobody ever had, without documentKeys, beside one item just created in
    // Jama: one recent-activity search per worker batch (Jama has no filter by id; a batch holding
    // a single such id reads it by id instead), never one GET per id; the new item is synced.
    const created = p.simulator.createItem({
      project: 20,
      itemType: future.itemType,
      fields: { name: 'new' },
    });
    const updates = [
      ...Array.from({ length: 300 }, (_, i) => ({ type: 'item.updated', itemId: 800_000 + i })),
      { type: 'item.created', itemId: created.id },
    ];
    const updated = Date.now();
    const batchesBefore = p.source.stats.invocations;
    expect(await post(updates)).toMatchObject({ status: 202 });
    await p.idle(CHAOS.drainTimeoutMs);
    const searches = reads(p, updated);
    const batches = p.source.stats.invocations - batchesBefore;
    process.stdout.write(
      `pulls: 300 unknown ids and a new item cost ${searches.length} Jama calls in ${batches} worker batches\n`,
    );
    // At most one per worker batch — which, with the deployed batch size, is a handful.
    expect(searches.length).toBeLessThanOrEqual(batches);
    expect(searches.length).toBeLessThanOrEqual(Math.ceil(updates.length / defaultWorkerEsm(10).batchSize));
    mirror = await p.mirror();
    expect(mirror.get(created.id)).toMatchObject({ deleted: false, modifiedDate: created.modifiedDate });
    expect(mirror.size).toBe(rows + 1);

    // A later edit in Jama reaches the mirror through a pull: nothing outranks it.
    const edited = p.simulator.updateItem(future.id, { name: 'edited after a bogus delete' });
    expect(await post([{ type: 'item.updated', itemId: future.id }])).toMatchObject({ status: 202 });
    await p.idle(CHAOS.drainTimeoutMs);
    expect((await p.mirror()).get(future.id)).toMatchObject({
      deleted: false,
      modifiedDate: edited.modifiedDate,
    });
    expect(await drainDeadLetters(p.sqs, p.resources.queues.jobsDlq.url)).toEqual([]);
  });

  it('quarantines a null-date item and a 500 KB item; the rest of the project syncs and the next full run starts', async () => {
    p = await startPipeline({
      simulator: { projects: 2, itemsPerProject: CHAOS.items / 2, seed: 4 },
      env: { JAMA_SYNC_PROJECTS: '20,21' },
    });
    const items = p.simulator.items().filter((it) => it.project === 20);
    const [nullDate, huge] = [items[3], items[7]];
    if (!nullDate || !huge) throw new Error('the simulator has too few items');
    p.simulator.damageItem(nullDate.id, { modifiedDate: null });
    p.simulator.updateItem(huge.id, { description: `<p>${'rich text '.repeat(51_200)}</p>` });

    const first = await p.reconcile({ mode: 'full' });
    expect(first.started.map((s) => s.projectId)).toEqual([20, 21]);
    await p.idle(2 * CHAOS.drainTimeoutMs);

    const mirror = await p.mirror();
    const jama = p.simulator.items();
    const missing = jama.filter((it) => it.id !== nullDate.id && mirror.get(it.id)?.deleted !== false);
    expect(missing).toEqual([]);
    expect(mirror.has(nullDate.id)).toBe(false);
    // Stored truncated, flagged, with everything else exact.
    const row = mirror.get(huge.id);
    expect(row?.truncated).toEqual(['fields.description']);
    expect(row?.modifiedDate).toBe(p.simulator.getItem(huge.id)?.modifiedDate);

    const letters = await drainDeadLetters(p.sqs, p.resources.queues.jobsDlq.url);
    process.stdout.write(
      `poison: ${jama.length - 1}/${jama.length} items synced; dead letters: ${JSON.stringify(letters)}\n`,
    );
    expect(letters.map((d) => [d.itemId, d.kind])).toEqual(
      expect.arrayContaining([
        [nullDate.id, 'pull'],
        [huge.id, 'pull'],
      ]),
    );
    expect(letters).toHaveLength(2);
    for (const letter of letters) expect(letter.reason).toMatch(/^QUARANTINED: /);
    expect(letters.find((d) => d.itemId === nullDate.id)?.reason).toMatch(/modifiedDate/);
    expect(letters.find((d) => d.itemId === huge.id)?.reason).toMatch(/400 KB/);

    // `status` reads this counter.
    expect(await readQuarantineCount(p.dynamodb, p.resources.tables.state, 'default')).toMatchObject({
      count: 2,
    });
    // The run finished, so the next full run is not skipped.
    const second = await p.reconcile({ mode: 'full' });
    expect(second.skipped).toEqual([]);
    expect(second.started.map((s) => s.projectId)).toEqual([20, 21]);
    await p.idle(2 * CHAOS.drainTimeoutMs);
  });
});

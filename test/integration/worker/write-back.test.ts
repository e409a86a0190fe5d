import { REASON_ATTRIBUTE } from '../../../src/adapters/sqs-record-actions';
import { WorkerKiller } from '../../chaos/killer';
import { type Pipeline, startPipeline } from '../../support/pipeline';

const SOURCE = { name: 'jira', env: 'default', secret: 'write-back-webhook-secret-01' };
/** Readable values of a 2,000-item run are counted in readable-values.test.ts; end to end, a smaller project does. */
const ITEMS = 200;
/** Reference lists, as the paths that read them. */
const REFERENCE = /^\/rest\/v1\/(itemtypes|picklists\/\d+\/options|users|users\/current|projects)(\?|$)/;

// One pipeline for the whole file: a 2,000-item project, the webhook, and a killer that can stop a
// worker right after its PATCH.
jest.setTimeout(120_000);

describe('write-back and readable values against the simulator', () => {
  let p: Pipeline;
  let killer: WorkerKiller;
  const ours = () => p.simulator.calls().filter((c) => !c.foreign);
  const referenceReads = () => {
    const reads = new Map<string, number>();
    for (const c of ours()) {
      const path = REFERENCE.exec(c.path)?.[1]
        ? c.path.replace(/\?.*$/, '').replace('/rest/v1/', '')
        : undefined;
      if (path) reads.set(path, (reads.get(path) ?? 0) + 1);
    }
    return reads;
  };
  const post = async (events: unknown[]) => {
    expect((await p.webhook?.post(SOURCE.name, { events }))?.status).toBe(202);
    await p.idle();
  };
  const requirements = () => p.simulator.items().filter((i) => i.itemType === 24);

  beforeAll(async () => {
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: ITEMS, seed: 12 },
      env: { JAMA_SYNC_PROJECTS: '20' },
      eventSource: { batchingWindowSeconds: 0 },
      webhook: { sources: [SOURCE] },
      adjust: (deps) => {
        killer = new WorkerKiller(deps.sqs, deps.urls.jobs);
        return killer.adjust(deps);
      },
      wrapWorker: (handler) => killer.wrap(handler),
    });
  });
  afterAll(async () => {
    await p?.stop();
    killer?.release();
  });

  it('copies a project into the mirror with names beside every id, reading each reference list once', async () => {
    await p.reconcile({ mode: 'full' });
    await p.idle();
    const rows = [...(await p.mirror()).values()];
    expect(rows).toHaveLength(ITEMS);
    const reads = referenceReads();
    // Item types, both pick lists, users, the integration's own user, projects: once each.
    expect([...reads.keys()].sort()).toEqual([
      'itemtypes',
      'picklists/88/options',
      'picklists/89/options',
      'projects',
      'users',
      'users/current',
    ]);
    for (const [path, n] of reads) expect([path, n]).toEqual([path, 1]);
    const byType = { 24: 'Requirement', 25: 'Test Case', 26: 'Defect', 27: 'Text' } as Record<number, string>;
    const statuses = ['Draft', 'In Review', 'Approved', 'Rejected'];
    for (const row of rows) {
      const item = row.item as { itemType: number; fields: Record<string, unknown> };
      expect(row.readable).toMatchObject({
        itemType: byType[item.itemType],
        project: expect.stringMatching(/^[A-Z]{3}$/),
        createdBy: expect.any(String),
        modifiedBy: expect.any(String),
      });
      expect(statuses).toContain(row.readable?.fields.status);
      if (item.itemType === 24) {
        expect(['High', 'Medium', 'Low']).toContain(row.readable?.fields.priority$24);
        expect(row.readable?.fields.owner$24).toMatch(/^\w+ \w+$/);
      }
      expect(row.bySync).toBe(false);
    }
  });

  it('lands pushes by labels and option names with the right keys and ids: one PATCH each plus two batched reads, no reference reads', async () => {
    p.simulator.resetStats();
    const targets = requirements().slice(0, 10);
    await post(
      targets.map((i) => ({
        type: 'item.push',
        itemId: i.id,
        fields: { Priority: 'High', status: 'Approved' },
      })),
    );
    for (const { id } of targets) {
      expect(p.simulator.getItem(id)).toMatchObject({
        modifiedBy: 50,
        fields: { priority$24: 160, status: 152 },
      });
    }
    const calls = ours().filter((c) => c.path !== '/rest/oauth/token');
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.status)).toEqual(Array(10).fill(200));
    // The batch's pushes read their items 50 per call (type, guard, current values), PATCH one by one,
    // and the re-read for the sinks is batched too: 12 calls for 10 pushes, no reference reads.
    expect(calls.filter((c) => /^\/rest\/v1\/items\/\d+$/.test(c.path) && c.method === 'GET')).toHaveLength(
      0,
    );
    expect(calls.filter((c) => c.path.startsWith('/rest/v1/abstractitems?documentKey='))).toHaveLength(2);
    expect(calls).toHaveLength(12);
    expect(referenceReads().size).toBe(0);
    const mirror = await p.mirror();
    for (const { id } of targets) {
      expect(mirror.get(id)).toMatchObject({
        modifiedBy: 50,
        bySync: true,
        readable: {
          modifiedBy: 'Integration jama-sync',
          fields: { priority$24: 'High', status: 'Approved' },
        },
      });
    }
  });

  it('dead-letters unresolvable values at once, once, with the reason, and never PATCHes them', async () => {
    p.simulator.resetStats();
    const [a, b] = requirements().slice(20, 22);
    await post([
      { type: 'item.push', itemId: a?.id, fields: { Priority: 'Urgent' } },
      { type: 'item.push', itemId: b?.id, fields: { Colour: 'red' } },
    ]);
    const letters = await p.deadLetters();
    const reasons = letters.map((m) => m.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue ?? m.Body).sort();
    expect(reasons).toEqual([
      expect.stringMatching(
        new RegExp(
          `item ${a?.id}: field "Priority": value "Urgent" is not an option of pick list 89; valid: High \\(160\\), Medium \\(161\\), Low \\(162\\)`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `item ${b?.id}: field "Colour" is not a field of item type 24 \\(Requirement\\); valid: .*priority\\$24 \\(Priority\\)`,
        ),
      ),
    ]);
    const calls = ours();
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([]);
    // Read once (one batched call, or one each if the two arrived in two batches), never retried.
    const reads = calls.filter(
      (c) => c.method === 'GET' && /\/(items\/\d+|abstractitems\?documentKey=)/.test(c.path),
    );
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads.length).toBeLessThanOrEqual(2);
    for (const m of letters) expect(JSON.parse(m.Body ?? '{}').meta?.failures ?? 0).toBe(0);
  });

  it('does not PATCH again when the worker dies between the PATCH and the acknowledgement', async () => {
    p.simulator.resetStats();
    const target = requirements()[30];
    killer.arm('after-patch');
    await post([
      {
        type: 'item.push',
        itemId: target?.id,
        fields: { Owner: 'grace.hopper@example.com', 'Due date': '2026-03-01' },
      },
    ]);
    expect(killer.kills.map((k) => k.point)).toEqual(['after-patch']);
    expect(ours().filter((c) => c.method === 'PATCH')).toHaveLength(1);
    expect(p.simulator.getItem(target?.id ?? 0)?.fields).toMatchObject({
      owner$24: 11,
      dueDate$24: '2026-03-01',
    });
    expect((await p.mirror()).get(target?.id ?? 0)).toMatchObject({
      bySync: true,
      readable: { fields: { owner$24: 'Grace Hopper' } },
    });
  });
});

import type { WorkerDeps } from '../../../functions/sync-worker/build-deps';
import { WorkerKiller } from '../../chaos/killer';
import { type Pipeline, startPipeline } from '../../support/pipeline';

/** Live mirror rows must be exactly the simulator's items, by id and modifiedDate. */
async function mirrorEqualsJama(p: Pipeline): Promise<boolean> {
  const live = [...(await p.mirror()).values()].filter((r) => !r.deleted);
  const expected = p.simulator.items();
  const byId = new Map(live.map((r) => [r.itemId, r.modifiedDate]));
  return byId.size === expected.length && expected.every((it) => byId.get(it.id) === it.modifiedDate);
}

/** Page reads of ours at the simulator, by their query (each keyset position is one query). */
function pageReads(p: Pipeline): Map<string, number> {
  const reads = new Map<string, number>();
  for (const c of p.simulator.calls()) {
    if (c.foreign || !c.path.includes('/abstractitems') || !c.path.includes('maxResults=50')) continue;
    reads.set(c.path, (reads.get(c.path) ?? 0) + 1);
  }
  return reads;
}

/** Short leases, so a crashed reader's slice is free again in seconds rather than a minute. */
const fastLeases = (deps: WorkerDeps): WorkerDeps => ({
  ...deps,
  engine: { ...deps.engine, scanSettings: { leaseMs: 3000, graceMs: 3000, maxRunMs: 3000 } },
});

describe('the run cursor', () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('finishes a run whose worker was killed at three points, from its cursor, no page read more than twice', async () => {
    const holder: { killer?: WorkerKiller } = {};
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 1500, seed: 3 },
      env: { JAMA_SYNC_PROJECTS: '20' },
      stack: {
        adjust: (deps, queue) => {
          if (queue !== 'reconcile') return deps;
          holder.killer = new WorkerKiller(deps.sqs, deps.urls.jobs);
          return holder.killer.adjust(fastLeases(deps));
        },
        wrapWorker: (handler, queue) =>
          queue === 'reconcile' ? (holder.killer as WorkerKiller).wrap(handler) : handler,
      },
    });
    const killer = holder.killer as WorkerKiller;
    await p.reconcile({ mode: 'full' });
    // One kill at a time: after a page was read (before the sinks), half-way through a page's
    // mirror writes (before the cursor moved), and after a stretch handed back but before SQS
    // deleted its message (the old message comes back and must stop).
    // Kills are spread out: each waits until three more pages were read after the last one.
    for (const point of ['after-read', 'mid-write', 'before-ack'] as const) {
      const pages = [...pageReads(p).values()].reduce((a, b) => a + b, 0);
      const deadline = Date.now() + 30_000;
      const wait = (done: () => boolean) => async () => {
        while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      };
      await wait(() => [...pageReads(p as Pipeline).values()].reduce((a, b) => a + b, 0) >= pages + 3)();
      // A before-ack kill must hit an invocation that handed its slice on (not one told to wait).
      for (let tries = 0; tries < 5; tries++) {
        killer.arm(point);
        await wait(() => killer.pending() === 0)();
        if ((killer.kills.at(-1)?.records ?? 0) > 0) break;
      }
    }
    await p.idle(120_000);
    killer.release();

    const effective = killer.kills.filter((k) => k.records > 0).map((k) => k.point);
    expect(effective).toEqual(['after-read', 'mid-write', 'before-ack']);
    expect(await mirrorEqualsJama(p)).toBe(true);
    const reads = pageReads(p);
    const twice = [...reads.values()].filter((n) => n === 2).length;
    console.info(
      `crash-resume: ${reads.size} page queries, ${twice} read twice, kills ${JSON.stringify(killer.kills)}`,
    );
    expect(Math.max(...reads.values())).toBeLessThanOrEqual(2);
    expect(await p.deadLetters()).toHaveLength(0);
  }, 150_000);

  it('reads every page once when every scan message is delivered twice', async () => {
    p = await startPipeline({
      simulator: { projects: 2, itemsPerProject: 600, seed: 4 },
      env: { JAMA_SYNC_PROJECTS: '20,21' },
      // Short leases: a duplicate that finds its slice held waits out the lease before it is dropped.
      stack: {
        chaos: { duplicateScans: true },
        adjust: (deps, queue) => (queue === 'reconcile' ? fastLeases(deps) : deps),
      },
    });
    await p.reconcile({ mode: 'full' });
    await p.idle(120_000);
    const reads = pageReads(p);
    const calls = p.simulator.calls().filter((c) => !c.foreign && c.path.includes('/abstractitems'));
    console.info(`duplicates: ${calls.length} item calls for ${reads.size} page queries (24 pages needed)`);
    expect(Math.max(...reads.values())).toBe(1);
    // 24 pages, plus at most one one-item probe per extra slice and one page per slice boundary.
    expect(calls.length).toBeLessThanOrEqual(24 + 2 * 2 * 3);
    expect(await mirrorEqualsJama(p)).toBe(true);
  }, 150_000);
});

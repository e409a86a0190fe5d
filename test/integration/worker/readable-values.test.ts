import { JamaClient } from '../../../src/adapters/jama/jama-client';
import { jamaReferenceReader } from '../../../src/adapters/jama/reference-reader';
import { systemClock } from '../../../src/core/clock';
import { type ScanJob, scanJobSchema } from '../../../src/core/jobs';
import type { SinkRecord } from '../../../src/core/ports/sink';
import { InMemoryRunCursorStore } from '../../../src/core/reconcile/memory-cursors';
import { withReadableValues } from '../../../src/core/reference/readable-sink';
import { ReferenceResolver } from '../../../src/core/reference/resolver';
import { runScan } from '../../../src/core/worker/scan';
import { DEFAULT_SCAN_SETTINGS } from '../../../src/core/worker/scan-settings';
import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { MemoryQueue, MemorySink } from '../../support/fakes';
import { InMemoryRateLimiter } from '../../support/in-memory-limiter';
import { MemoryReferenceStore } from '../../support/reference-fakes';

const REFERENCE = /^\/rest\/v1\/(itemtypes|picklists\/\d+\/options|users|users\/current|projects)(\?|$)/;

describe('readable values for a 2,000-item scan', () => {
  let sim: JamaSimulator;
  let jama: JamaClient;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 2000, seed: 13, rateLimit: 0 });
    jama = new JamaClient({
      url: sim.url,
      credentials: { type: 'oauth', clientId: 'jama-sync', clientSecret: 'jama-sync-secret' },
      limiter: new InMemoryRateLimiter({ clock: systemClock, limit: 200, maxWaitMs: 10_000 }),
      referenceDataTtlMs: 0,
    });
  });
  afterAll(async () => {
    await jama?.close();
    await sim?.close();
  });

  it('names every type, pick-list option, user and project id, reading each reference list once', async () => {
    const sink = new MemorySink();
    const resolver = new ReferenceResolver({
      reader: () => jamaReferenceReader(jama),
      store: new MemoryReferenceStore(),
      clock: systemClock,
    });
    const sinks = withReadableValues([sink], resolver);
    const queue = new MemoryQueue();
    let job: ScanJob | undefined = scanJobSchema.parse({
      v: 1,
      env: 'default',
      kind: 'scan',
      projectId: 20,
      mode: 'full',
      runId: 'r1',
      from: 0,
    });
    const cursors = new InMemoryRunCursorStore();
    let id = 0;
    const deps = {
      sinks,
      queue,
      cursors,
      clock: systemClock,
      settings: DEFAULT_SCAN_SETTINGS,
      newId: () => `r${++id}`,
    };
    while (job) {
      expect(await runScan(jama, job, deps)).toEqual({ type: 'done' });
      job = queue.sent.shift()?.job as ScanJob | undefined;
    }

    const rows = [...sink.rows.values()] as Extract<SinkRecord, { kind: 'item' }>[];
    expect(rows).toHaveLength(2000);
    const reads = new Map<string, number>();
    for (const c of sim.calls()) {
      if (REFERENCE.test(c.path)) {
        const list = c.path.replace(/\?.*$/, '');
        reads.set(list, (reads.get(list) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(reads)).toEqual({
      '/rest/v1/itemtypes': 1,
      '/rest/v1/picklists/88/options': 1,
      '/rest/v1/picklists/89/options': 1,
      '/rest/v1/projects': 1,
      '/rest/v1/users': 1,
      '/rest/v1/users/current': 1,
    });
    const projectKey = sim.items()[0]?.documentKey.split('-')[0];
    const types: Record<number, string> = { 24: 'Requirement', 25: 'Test Case', 26: 'Defect', 27: 'Text' };
    const names = new Map([...sim.items()].map((i) => [i.id, i]));
    for (const row of rows) {
      const item = names.get(row.itemId);
      expect(row.readable).toMatchObject({ itemType: types[row.item.itemType], project: projectKey });
      expect(row.readable?.createdBy).toMatch(/^\w+ \w+$/);
      expect(row.readable?.modifiedBy).toMatch(/^\w+ \w+$/);
      expect(['Draft', 'In Review', 'Approved', 'Rejected']).toContain(row.readable?.fields.status);
      if (row.item.itemType === 24) {
        expect(['High', 'Medium', 'Low']).toContain(row.readable?.fields.priority$24);
        expect(row.readable?.fields.owner$24).toMatch(/^\w+ \w+$/);
      }
      expect(row).toMatchObject({ modifiedBy: item?.modifiedBy, bySync: false });
    }
  });
});

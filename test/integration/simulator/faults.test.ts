import { type JamaItem, type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { BASIC, call } from './http';

describe('simulator › latency and faults', () => {
  let sim: JamaSimulator;
  let item: JamaItem;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 5, rateLimit: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.setOptions({ faults: {}, latencyMs: { fixed: 0, jitter: 0 } });
    sim.resetStats();
    item = sim.items()[0] as JamaItem;
  });

  it('answers 500 or 503 at serverErrorRate 1 and does not apply the write', async () => {
    sim.setOptions({ faults: { serverErrorRate: 1 } });
    const { status, body } = await call(sim, `/items/${item.id}`, {
      method: 'PATCH',
      json: [{ op: 'replace', path: '/fields/name', value: 'lost' }],
    });
    expect([500, 503]).toContain(status);
    expect(body.meta.message).toMatch(/not applied/);
    expect(sim.getItem(item.id)).toEqual(item);
    expect(sim.calls()).toEqual([expect.objectContaining({ method: 'PATCH', status })]);
  });

  it('drops the connection without an answer at resetRate 1, logged as status 0', async () => {
    sim.setOptions({ faults: { resetRate: 1 } });
    await expect(fetch(`${sim.url}/rest/v1/projects`, { headers: { Authorization: BASIC } })).rejects.toThrow(
      'fetch failed',
    );
    expect(sim.calls()).toEqual([expect.objectContaining({ path: '/rest/v1/projects', status: 0 })]);
  });

  it('adds fixed latency plus jitter, and slowMs for slow calls', async () => {
    sim.setOptions({ latencyMs: { fixed: 60, jitter: 20 } });
    let started = performance.now();
    await call(sim, '/projects');
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);
    sim.setOptions({ faults: { slowRate: 1, slowMs: 150 } });
    started = performance.now();
    await call(sim, '/projects');
    expect(performance.now() - started).toBeGreaterThanOrEqual(209);
    const durations = sim.calls().map((c) => c.durationMs);
    expect(durations[0]).toBeGreaterThanOrEqual(59);
    expect(durations[1]).toBeGreaterThanOrEqual(209);
  });

  it('checks credentials before faults: a 401 is answered even at serverErrorRate 1', async () => {
    sim.setOptions({ faults: { serverErrorRate: 1 } });
    expect((await call(sim, '/projects', { headers: { Authorization: '' } })).status).toBe(401);
  });

  it('draws faults from the seed: the same seed fails the same calls', async () => {
    const pattern = async () => {
      const seeded = await startJamaSimulator({
        projects: 1,
        itemsPerProject: 1,
        rateLimit: 0,
        seed: 9,
        faults: { serverErrorRate: 0.5 },
      });
      const statuses: number[] = [];
      for (let n = 0; n < 12; n++) statuses.push((await call(seeded, '/projects')).status);
      await seeded.close();
      return statuses;
    };
    const first = await pattern();
    expect(first).toEqual(await pattern());
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});

import { type JamaSimulator, maxInAnyWindow, startJamaSimulator } from '../../../src/simulator/server';
import { call } from './http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulator › the environment-wide rate limit', () => {
  let sim: JamaSimulator;
  afterEach(() => sim.close());

  it('accepts no more than 10 of a burst of 100 calls from 20 clients in any second; the rest get 429', async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 10 });
    const clients = Array.from({ length: 20 }, async () => {
      const statuses: number[] = [];
      for (let n = 0; n < 5; n++) statuses.push((await call(sim, '/projects')).status);
      return statuses;
    });
    const statuses = (await Promise.all(clients)).flat();

    const stats = sim.stats();
    expect(stats.calls).toBe(100);
    expect(stats.maxAcceptedInAnyWindow).toBeLessThanOrEqual(10);
    expect(stats.accepted).toBeGreaterThanOrEqual(10);
    expect(stats.accepted + stats.rejected429).toBe(100);
    expect(stats.byStatus).toEqual({ 200: stats.accepted, 429: stats.rejected429 });
    expect(statuses.filter((s) => s === 429)).toHaveLength(stats.rejected429);
    const accepted = sim.calls().filter((c) => c.status !== 429);
    expect(maxInAnyWindow(accepted.map((c) => c.at))).toBeLessThanOrEqual(10);
  });

  it('answers 429 with a Jama envelope, without Retry-After unless configured', async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 1, rateLimit: 1 });
    await call(sim, '/projects');
    const limited = await call(sim, '/projects');
    expect(limited.status).toBe(429);
    expect(limited.body.meta).toEqual(
      expect.objectContaining({
        status: 'Too Many Requests',
        message: expect.stringContaining('1 API calls per second'),
      }),
    );
    expect(limited.headers.get('retry-after')).toBeNull();

    sim.setOptions({ retryAfterSeconds: 3 });
    expect((await call(sim, '/projects')).headers.get('retry-after')).toBe('3');
  });

  it('counts calls before checking credentials, and does not count rejected ones', async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 1, rateLimit: 2 });
    expect((await call(sim, '/projects', { headers: { Authorization: '' } })).status).toBe(401);
    expect((await call(sim, '/rest/oauth/token', { method: 'POST' })).status).toBe(401);
    expect((await call(sim, '/projects')).status).toBe(429);
    await sleep(1000);
    expect((await call(sim, '/projects')).status).toBe(200);
    expect(sim.stats().byStatus).toEqual({ 401: 2, 429: 1, 200: 1 });
  });

  it('shares the limit with a foreign integration: at 8/s of 10, about 2/s are left for us', async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 1, rateLimit: 10, foreignRate: 8 });
    const until = Date.now() + 2000;
    const hammer = async () => {
      while (Date.now() < until) await call(sim, '/projects');
    };
    await Promise.all([hammer(), hammer(), hammer()]);

    const stats = sim.stats();
    const calls = sim.calls();
    const ours = calls.filter((c) => !c.foreign && c.status !== 429);
    const theirs = calls.filter((c) => c.foreign && c.status !== 429);
    expect(stats.maxAcceptedInAnyWindow).toBeLessThanOrEqual(10);
    expect(ours.length).toBeLessThanOrEqual(2 * 2 + 3);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    expect(theirs.length).toBeGreaterThanOrEqual(14);
    expect(stats.maxAcceptedInAnyWindowOurs).toBeLessThanOrEqual(3);
  });

  it('lets the limit be changed while running, counting calls made while it was 0 (unlimited)', async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 1, rateLimit: 0 });
    const burst = () => Promise.all(Array.from({ length: 15 }, () => call(sim, '/projects')));
    expect((await burst()).every((a) => a.status === 200)).toBe(true);
    sim.setOptions({ rateLimit: 20 });
    // The 15 calls just made are still in the window: 5 more fit.
    expect((await burst()).filter((a) => a.status === 200)).toHaveLength(5);
    expect(sim.options.rateLimit).toBe(20);
  });
});

import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call } from './http';

describe('simulator › control API', () => {
  let sim: JamaSimulator;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 5, rateLimit: 1 });
  });
  afterAll(() => sim.close());

  const control = (path: string, method = 'GET', json?: unknown) =>
    call(sim, `/__control/${path}`, { method, ...(json === undefined ? {} : { json }) });

  it('is neither rate limited nor logged', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => control('stats')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(sim.calls()).toEqual([]);
  });

  it('reports stats and the call log of /rest calls, and resets them', async () => {
    await call(sim, '/projects');
    await call(sim, '/projects');
    const stats = (await control('stats')).body;
    expect(stats).toEqual(
      expect.objectContaining({ calls: 2, accepted: 1, rejected429: 1, byStatus: { 200: 1, 429: 1 } }),
    );
    const calls = (await control('calls')).body;
    expect(calls.map((c: { status: number }) => c.status)).toEqual([200, 429]);
    expect(calls[0]).toEqual({
      at: expect.any(Number),
      method: 'GET',
      path: '/rest/v1/projects',
      status: 200,
      foreign: false,
      durationMs: expect.any(Number),
    });
    expect((await control('reset-stats', 'POST')).status).toBe(204);
    expect((await control('stats')).body.calls).toBe(0);
  });

  it('changes items as a user in the Jama UI would, recording activities', async () => {
    const [first, second] = (await control('items')).body;
    const updated = await control(`items/${first.id}`, 'PATCH', { fields: { name: 'Edited in the UI' } });
    expect(updated.body).toEqual(
      expect.objectContaining({
        id: first.id,
        fields: expect.objectContaining({ name: 'Edited in the UI' }),
      }),
    );
    expect(updated.body.modifiedDate > first.modifiedDate).toBe(true);
    expect((await control(`items/${second.id}`, 'DELETE')).status).toBe(204);
    const created = await control('items', 'POST', { project: 20, itemType: 27, fields: { name: 'Intro' } });
    expect(created.status).toBe(201);
    expect(sim.items().map((i) => i.id)).toEqual(expect.arrayContaining([first.id, created.body.id]));
    expect(sim.getItem(second.id)).toBeUndefined();
  });

  it('changes options while running', async () => {
    const { body } = await control('options', 'PATCH', {
      rateLimit: 0,
      retryAfterSeconds: 2,
      latencyMs: { fixed: 1, jitter: 0 },
    });
    expect(body).toEqual(
      expect.objectContaining({ rateLimit: 0, retryAfterSeconds: 2, latencyMs: { fixed: 1, jitter: 0 } }),
    );
    expect(sim.options.rateLimit).toBe(0);
    expect((await control('options', 'PATCH', { retryAfterSeconds: null })).body).not.toHaveProperty(
      'retryAfterSeconds',
    );
  });

  it.each([
    ['items/999999', 'PATCH', { fields: { name: 'x' } }, 404],
    ['items/1', 'PATCH', { nope: true }, 400],
    ['options', 'PATCH', { rateLimit: -1 }, 400],
    ['nothing', 'GET', undefined, 404],
  ])('answers %s %s with %i and an error', async (path, method, json, status) => {
    const answer = await control(path, method, json);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toEqual(expect.any(String));
  });
});

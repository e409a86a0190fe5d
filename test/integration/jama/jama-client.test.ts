import { JamaClient } from '../../../src/adapters/jama/jama-client';
import type { JamaClientOptions } from '../../../src/adapters/jama/options';
import { systemClock } from '../../../src/core/clock';
import { parseJamaDate } from '../../../src/core/jama-date';
import {
  JamaAuthError,
  JamaNetworkError,
  JamaNotFoundError,
  JamaRateLimitedError,
  JamaServerError,
  JamaValidationError,
} from '../../../src/core/jama-errors';
import type { JamaItem } from '../../../src/core/jama-types';
import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { InMemoryRateLimiter } from '../../support/in-memory-limiter';
import { CountingLimiter } from '../../support/jama-http-stub';

const OAUTH = { type: 'oauth', clientId: 'jama-sync', clientSecret: 'jama-sync-secret' } as const;

const drain = async <T>(iterable: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
};

function clientOf(sim: JamaSimulator, overrides: Partial<JamaClientOptions> = {}): JamaClient {
  return new JamaClient({
    url: `${sim.url}/rest/v1/`,
    credentials: OAUTH,
    limiter: new CountingLimiter(),
    ...overrides,
  });
}

/** The simulator's REST calls (token included) other than the foreign integration's. */
const ours = (sim: JamaSimulator, path = '') =>
  sim.calls().filter((c) => !c.foreign && c.path.startsWith(path));

describe('jama client against the Jama simulator', () => {
  let sim: JamaSimulator;
  let jama: JamaClient;

  beforeAll(async () => {
    sim = await startJamaSimulator({
      projects: 3,
      itemsPerProject: 100,
      rateLimit: 0,
      latencyMs: { fixed: 5, jitter: 0 },
    });
    jama = clientOf(sim);
  });
  afterAll(async () => {
    await jama.close();
    await sim.close();
  });
  beforeEach(() => sim.resetStats());

  it('fetches an item as the simulator holds it', async () => {
    const expected = sim.items()[7] as JamaItem;
    const got = await jama.getItem(expected.id);
    expect(got).toEqual(expected);
    expect(parseJamaDate(got.modifiedDate)).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('fetches 120 items by document key in 3 calls', async () => {
    const wanted = sim.items().slice(30, 150);
    const got = await jama.getItemsByDocumentKeys(wanted.map((i) => i.documentKey));
    expect(got.map((i) => i.id).sort()).toEqual(wanted.map((i) => i.id).sort());
    const calls = ours(sim, '/rest/v1/abstractitems');
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => new URL(c.path, sim.url).searchParams.getAll('documentKey').length)).toEqual([
      50, 50, 20,
    ]);
  });

  it('iterates a project 50 at a time, one page after another', async () => {
    const project = 21;
    const got = await drain(jama.iterateItems(project));
    expect(got.map((i) => i.id)).toEqual(
      sim
        .items()
        .filter((i) => i.project === project)
        .map((i) => i.id),
    );
    const calls = ours(sim, '/rest/v1/items?');
    expect(calls.map((c) => new URL(c.path, sim.url).searchParams.get('startAt'))).toEqual(['0', '50']);
    expect(calls.every((c) => c.path.includes('maxResults=50'))).toBe(true);
    for (let i = 1; i < calls.length; i++) {
      const previous = calls[i - 1];
      const current = calls[i];
      if (!previous || !current) throw new Error('missing call');
      expect(current.at).toBeGreaterThanOrEqual(previous.at + previous.durationMs);
    }
  });

  it('searches /abstractitems by lastActivityDate window, oldest first', async () => {
    const items = sim.items().filter((i) => i.project === 20);
    const times = items.map((i) => parseJamaDate(i.lastActivityDate as string)).sort((a, b) => a - b);
    const from = times[10] as number;
    const to = times[60] as number;
    const got = await drain(
      jama.iterateAbstractItems({
        project: [20],
        lastActivityDate: [from, to],
        sortBy: ['lastActivityDate.asc'],
      }),
    );
    const gotTimes = got.map((i) => parseJamaDate(i.lastActivityDate as string));
    expect(gotTimes).toEqual([...gotTimes].sort((a, b) => a - b));
    expect(gotTimes.every((t) => t >= from && t <= to)).toBe(true);
    expect(got.length).toBe(times.filter((t) => t >= from && t <= to).length);
  });

  it('lists projects and item types once, then serves them from the cache', async () => {
    const projects = await jama.listProjects();
    const types = await jama.listItemTypes();
    await jama.listProjects();
    await jama.listItemTypes();
    expect(projects.map((p) => p.id)).toEqual([20, 21, 22]);
    expect(types.length).toBeGreaterThan(0);
    expect(types[0]?.fields?.some((f) => f.name === 'name')).toBe(true);
    expect(ours(sim, '/rest/v1/projects')).toHaveLength(1);
    expect(ours(sim, '/rest/v1/itemtypes')).toHaveLength(1);
  });

  it('patches a field', async () => {
    const target = sim.items()[3] as JamaItem;
    await jama.patchItem(target.id, [{ op: 'replace', path: '/fields/name', value: 'Patched by jama-sync' }]);
    const after = sim.getItem(target.id);
    expect(after?.fields.name).toBe('Patched by jama-sync');
    expect(parseJamaDate(after?.modifiedDate as string)).toBeGreaterThan(parseJamaDate(target.modifiedDate));
  });

  it('puts a whole item', async () => {
    const target = sim.items()[4] as JamaItem;
    await jama.putItem(target.id, {
      project: target.project,
      itemType: target.itemType,
      location: { parent: { project: target.project } },
      fields: { ...target.fields, name: 'Replaced by jama-sync', description: '<p>new</p>' },
    });
    expect(sim.getItem(target.id)?.fields).toMatchObject({
      name: 'Replaced by jama-sync',
      description: '<p>new</p>',
    });
  });

  it('creates an item and reads it back', async () => {
    const id = await jama.createItem({
      project: 22,
      itemType: 24,
      childItemType: 24,
      location: { parent: { project: 22 } },
      fields: { name: 'Created by jama-sync', description: '<p>hello</p>' },
    });
    expect(sim.getItem(id)?.fields.name).toBe('Created by jama-sync');
    await expect(jama.getItem(id)).resolves.toMatchObject({
      id,
      project: 22,
      fields: { name: 'Created by jama-sync' },
    });
  });

  it('deletes an item, which then shows up as a DELETE activity', async () => {
    const target = sim.items().find((i) => i.project === 22) as JamaItem;
    const before = Date.now() - 1_000;
    await jama.deleteItem(target.id);
    expect(sim.getItem(target.id)).toBeUndefined();
    await expect(jama.getItem(target.id)).rejects.toBeInstanceOf(JamaNotFoundError);
    const page = await jama.listActivities({
      project: 22,
      date: [before],
      eventType: ['DELETE'],
      objectType: ['ITEM'],
    });
    expect(page.data.map((a) => a.item)).toContain(target.id);
    expect(page.data.every((a) => a.eventType === 'DELETE')).toBe(true);
    const viaDeleteEvents = await drain(jama.iterateActivities({ project: 22, deleteEvents: true }));
    expect(viaDeleteEvents.map((a) => a.item)).toContain(target.id);
  });

  it("carries Jama's message when it rejects a write", async () => {
    const target = sim.items()[5] as JamaItem;
    const error = await jama
      .patchItem(target.id, [{ op: 'replace', path: '/fields/noSuchField', value: 1 }])
      .catch((e: unknown) => e as JamaValidationError);
    expect(error).toBeInstanceOf(JamaValidationError);
    expect(error).toMatchObject({ status: 400, method: 'PATCH' });
    expect((error as JamaValidationError).jamaMessage).toContain('noSuchField');
  });

  it('counts its calls like the simulator does', async () => {
    const before = jama.stats();
    await jama.getItem((sim.items()[0] as JamaItem).id);
    const after = jama.stats();
    expect(after.calls - before.calls).toBe(ours(sim).length);
  });
});

describe('jama client against the simulator › auth and failures', () => {
  let sim: JamaSimulator;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 10, rateLimit: 0 });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.setOptions({ rateLimit: 0, faults: {}, retryAfterSeconds: undefined }));

  it('reports bad client credentials as JamaAuthError naming the Named Creator licence', async () => {
    const jama = clientOf(sim, {
      credentials: { type: 'oauth', clientId: 'jama-sync', clientSecret: 'wrong-secret' },
    });
    const error = await jama.getItem(10_001).catch((e: unknown) => e as JamaAuthError);
    await jama.close();
    expect(error).toBeInstanceOf(JamaAuthError);
    expect(error).toMatchObject({ code: 'JAMA_AUTH', status: 401, path: '/rest/oauth/token' });
    expect(error.message).toContain('Named Creator');
    expect(`${error.message}${JSON.stringify(error)}`).not.toContain('wrong-secret');
  });

  it('works with basic auth and rejects a wrong password', async () => {
    const good = clientOf(sim, { credentials: { type: 'basic', username: 'admin', password: 'admin' } });
    await expect(good.getItem(10_001)).resolves.toMatchObject({ id: 10_001 });
    await good.close();
    const bad = clientOf(sim, { credentials: { type: 'basic', username: 'admin', password: 'nope-nope' } });
    await expect(bad.getItem(10_001)).rejects.toBeInstanceOf(JamaAuthError);
    await bad.close();
  });

  it('maps the simulator’s 429 to JamaRateLimitedError with Retry-After, and tells the limiter', async () => {
    const limiter = new CountingLimiter();
    const jama = clientOf(sim, { limiter });
    await jama.getItem(10_001); // token cached while unlimited
    sim.setOptions({ rateLimit: 2, retryAfterSeconds: 2 });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => jama.getItem(10_001 + i)));
    await jama.close();
    const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    expect(rejected.length).toBeGreaterThanOrEqual(3);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(JamaRateLimitedError);
      expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 2_000, method: 'GET' });
    }
    // No retries inside the client: one onThrottled and one 429 per failed call.
    expect(limiter.throttled).toEqual(rejected.map(() => 2_000));
    expect(jama.stats().byStatus['429']).toBe(rejected.length);
    expect(jama.stats().calls).toBe(1 + 1 + 5);
  });

  it('shares one refused token request among concurrent callers', async () => {
    sim.setOptions({ rateLimit: 1 });
    const limiter = new CountingLimiter();
    const occupy = clientOf(sim, { credentials: { type: 'basic', username: 'admin', password: 'admin' } });
    // Get one call accepted, so the 1-call window is full for the next second.
    for (let accepted = false; !accepted; ) {
      accepted = await occupy.getItem(10_001).then(
        () => true,
        () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      );
    }
    await occupy.close();
    const jama = clientOf(sim, { limiter });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => jama.getItem(10_000 + i)));
    await jama.close();
    const errors = new Set(outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined)));
    expect(errors.size).toBe(1);
    expect([...errors][0]).toMatchObject({ code: 'JAMA_RATE_LIMITED', path: '/rest/oauth/token' });
    expect(jama.stats()).toEqual({ calls: 1, byStatus: { '429': 1 } });
    expect(limiter.throttled).toHaveLength(1);
  });

  it('maps injected 5xx and resets to retryable errors', async () => {
    const jama = clientOf(sim);
    await jama.getItem(10_001); // token first, so the faults hit the REST call
    sim.setOptions({ faults: { serverErrorRate: 1 } });
    await expect(jama.getItem(10_001)).rejects.toBeInstanceOf(JamaServerError);
    sim.setOptions({ faults: { resetRate: 1 } });
    await expect(jama.getItem(10_001)).rejects.toBeInstanceOf(JamaNetworkError);
    await jama.close();
  });
});

describe('jama client with the real limiter against the simulator', () => {
  it('stays within 10 calls/s with no 429 when 20 calls are fired at once', async () => {
    const sim = await startJamaSimulator({ projects: 1, itemsPerProject: 30, rateLimit: 10 });
    const limiter = new InMemoryRateLimiter({ clock: systemClock, limit: 10, maxWaitMs: 10_000 });
    const jama = clientOf(sim, { limiter });
    try {
      const ids = sim
        .items()
        .slice(0, 20)
        .map((i) => i.id);
      const got = await Promise.all(ids.map((id) => jama.getItem(id)));
      expect(got.map((i) => i.id)).toEqual(ids);
      const stats = sim.stats();
      expect(stats.rejected429).toBe(0);
      expect(stats.maxAcceptedInAnyWindowOurs).toBeLessThanOrEqual(10);
      expect(stats.calls).toBe(21); // 20 items + 1 token
    } finally {
      await jama.close();
      await sim.close();
    }
  });
});

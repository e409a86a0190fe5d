import type { JamaItemInput } from '../../../src/core/jama-types';
import { FakeClock } from '../../support/fake-clock';
import {
  CountingLimiter,
  clientFor,
  item,
  pageOf,
  type Route,
  type Seen,
  single,
  stubsPerTest,
  TOKEN_PATH,
  tokenReply,
} from '../../support/jama-http-stub';

const startStub = stubsPerTest();

/** A fake Jama that issues tokens and answers REST calls with `route`. */
async function jama(route: Route, overrides: Parameters<typeof clientFor>[2] = {}) {
  const fake = await startStub((req) => (req.path === TOKEN_PATH ? tokenReply() : route(req)));
  return { server: fake, client: clientFor(fake, new CountingLimiter(), overrides) };
}

const all = (req: Seen, name: string) => req.url.searchParams.getAll(name);
const drain = async <T>(iterable: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
};

/** Serves /abstractitems?documentKey=… with the items whose keys were asked for (unknown keys: none). */
const byDocumentKey: Route = (req) => {
  const keys = all(req, 'documentKey').filter((k) => !k.startsWith('UNKNOWN'));
  const items = keys.map((key) => item(Number(key.split('-').pop()), { documentKey: key }));
  return pageOf(items, req);
};

describe('jama client › reading items', () => {
  it('gets one item from /items/{id}', async () => {
    const { server, client } = await jama(() => single(item(115200)));
    const got = await client.getItem(115200);
    await client.close();
    expect(got).toMatchObject({ id: 115200, documentKey: 'P1-REQ-115200', fields: { status: 601 } });
    expect(server.rest()[0]?.url.pathname).toBe('/rest/v1/items/115200');
    expect(server.rest()[0]?.headers.accept).toBe('application/json');
  });

  it('asks for document keys as repeated documentKey parameters', async () => {
    const { server, client } = await jama(byDocumentKey);
    const got = await client.getItemsByDocumentKeys(['P1-REQ-1', 'P1-REQ-2', 'P1-REQ-3']);
    await client.close();
    expect(got.map((i) => i.id)).toEqual([1, 2, 3]);
    const [request] = server.rest();
    expect(request?.url.pathname).toBe('/rest/v1/abstractitems');
    expect(request?.url.search).toBe(
      '?documentKey=P1-REQ-1&documentKey=P1-REQ-2&documentKey=P1-REQ-3&startAt=0&maxResults=50',
    );
  });

  it('chunks 120 keys into 3 calls of at most 50, one after another', async () => {
    const { server, client } = await jama((req) => ({ ...(byDocumentKey(req) as object), delayMs: 20 }));
    const keys = Array.from({ length: 120 }, (_, i) => `P1-REQ-${i + 1}`);
    const got = await client.getItemsByDocumentKeys(keys);
    await client.close();
    const calls = server.rest();
    expect(calls.map((r) => all(r, 'documentKey').length)).toEqual([50, 50, 20]);
    expect(calls.flatMap((r) => all(r, 'documentKey'))).toEqual(keys);
    expect(got).toHaveLength(120);
    expectNoOverlap(calls);
  });

  it('skips duplicate and unknown keys, and spends no call on none', async () => {
    const { server, client } = await jama(byDocumentKey);
    expect(await client.getItemsByDocumentKeys([])).toEqual([]);
    const got = await client.getItemsByDocumentKeys(['P1-REQ-4', 'P1-REQ-4', 'UNKNOWN-9']);
    await client.close();
    expect(got.map((i) => i.documentKey)).toEqual(['P1-REQ-4']);
    expect(server.rest()).toHaveLength(1);
    expect(all(server.rest()[0] as Seen, 'documentKey')).toEqual(['P1-REQ-4', 'UNKNOWN-9']);
  });

  it('writes /abstractitems filters as Jama expects them', async () => {
    const { server, client } = await jama((req) => pageOf([item(1)], req));
    const result = await client.searchAbstractItems({
      project: [20, 21],
      itemType: [24],
      lastActivityDate: [Date.UTC(2021, 3, 23, 19, 56, 56), Date.UTC(2021, 3, 24)],
      modifiedDate: [0],
      sortBy: ['lastActivityDate.asc', 'id.asc'],
      startAt: 100,
      maxResults: 25,
    });
    await client.close();
    expect(result).toMatchObject({ startIndex: 100, resultCount: 0, totalResults: 1 });
    const request = server.rest()[0] as Seen;
    expect(all(request, 'project')).toEqual(['20', '21']);
    expect(all(request, 'itemType')).toEqual(['24']);
    expect(all(request, 'lastActivityDate')).toEqual([
      '2021-04-23T19:56:56.000+0000',
      '2021-04-24T00:00:00.000+0000',
    ]);
    expect(all(request, 'modifiedDate')).toEqual(['1970-01-01T00:00:00.000+0000']);
    expect(all(request, 'sortBy')).toEqual(['lastActivityDate.asc', 'id.asc']);
    expect(request.url.searchParams.get('startAt')).toBe('100');
    expect(request.url.searchParams.get('maxResults')).toBe('25');
    // `+` must arrive as %2B, or Jama reads the offset as a space.
    expect(request.url.search).toContain('2021-04-23T19%3A56%3A56.000%2B0000');
  });

  it.each([
    [{ maxResults: 51 }, /`maxResults` to be an integer from 1 to 50, got `51`/],
    [{ maxResults: 0 }, /`maxResults`/],
    [{ startAt: -1 }, /`startAt` to be an integer ≥ 0, got `-1`/],
  ])('refuses %p before any call', async (query, message) => {
    const { server, client } = await jama(() => single(item(1)));
    await expect(client.searchAbstractItems(query)).rejects.toThrow(message);
    await client.close();
    expect(server.requests).toHaveLength(0);
  });

  it.each([[0], [-3], [1.5], [Number.NaN]])('refuses item id %p', async (id) => {
    const { server, client } = await jama(() => single(item(1)));
    await expect(client.getItem(id)).rejects.toThrow(/`id` to be a positive integer/);
    await client.close();
    expect(server.requests).toHaveLength(0);
  });
});

describe('jama client › paging', () => {
  const items = Array.from({ length: 137 }, (_, i) => item(i + 1));

  it('iterates a project 50 at a time, one page after another', async () => {
    const { server, client } = await jama((req) => pageOf(items, req, 25));
    const got = await drain(client.iterateItems(7));
    await client.close();
    expect(got.map((i) => i.id)).toEqual(items.map((i) => i.id));
    const calls = server.rest();
    expect(
      calls.map((r) => [r.url.pathname, all(r, 'project')[0], all(r, 'startAt')[0], all(r, 'maxResults')[0]]),
    ).toEqual([
      ['/rest/v1/items', '7', '0', '50'],
      ['/rest/v1/items', '7', '50', '50'],
      ['/rest/v1/items', '7', '100', '50'],
    ]);
    expectNoOverlap(calls);
  });

  it('iterates /abstractitems with the query’s filters on every page', async () => {
    const { server, client } = await jama((req) => pageOf(items, req, 10));
    const got = await drain(
      client.iterateAbstractItems({ project: [7], sortBy: ['lastActivityDate.asc'], maxResults: 5 }),
    );
    await client.close();
    expect(got).toHaveLength(137);
    const calls = server.rest();
    expect(calls.map((r) => all(r, 'startAt')[0])).toEqual(['0', '50', '100']);
    expect(calls.every((r) => all(r, 'maxResults')[0] === '50' && all(r, 'project')[0] === '7')).toBe(true);
    expect(calls.every((r) => all(r, 'sortBy')[0] === 'lastActivityDate.asc')).toBe(true);
    expectNoOverlap(calls);
  });

  it('fetches the next page only when the consumer wants it', async () => {
    const { server, client } = await jama((req) => pageOf(items, req));
    for await (const entry of client.iterateItems(7)) {
      if (entry.id === 10) break;
    }
    await client.close();
    expect(server.rest()).toHaveLength(1);
  });

  it('stops on an empty page even if totalResults says otherwise', async () => {
    const { server, client } = await jama(() => ({
      json: { meta: { pageInfo: { startIndex: 0, resultCount: 0, totalResults: 999 } }, data: [] },
    }));
    expect(await drain(client.iterateItems(7))).toEqual([]);
    await client.close();
    expect(server.rest()).toHaveLength(1);
  });

  it('reads the activity stream with its filters, 50 at a time', async () => {
    const activities = Array.from({ length: 60 }, (_, i) => ({
      id: 900 + i,
      date: '2021-04-24T08:00:00.000+0000',
      details: 'deleted',
      action: 'DELETE',
      user: 7,
      item: i + 1,
      eventType: 'DELETE',
      objectType: 'ITEM',
      type: 'activities',
    }));
    const { server, client } = await jama((req) => pageOf(activities, req, 5));
    const got = await drain(
      client.iterateActivities({
        project: 20,
        date: [Date.UTC(2021, 3, 24)],
        eventType: ['DELETE'],
        objectType: ['ITEM'],
        deleteEvents: true,
      }),
    );
    await client.close();
    expect(got.map((a) => a.item)).toEqual(activities.map((a) => a.item));
    const [first] = server.rest();
    expect(first?.url.pathname).toBe('/rest/v1/activities');
    expect(first?.url.search).toBe(
      '?project=20&date=2021-04-24T00%3A00%3A00.000%2B0000&eventType=DELETE&objectType=ITEM&deleteEvents=true&startAt=0&maxResults=50',
    );
    expect(server.rest()).toHaveLength(2);
    expectNoOverlap(server.rest());
  });
});

describe('jama client › reference data', () => {
  const projects = Array.from({ length: 55 }, (_, i) => ({
    id: i + 1,
    projectKey: `P${i + 1}`,
    fields: { name: `P ${i}` },
  }));
  const itemTypes = [{ id: 24, typeKey: 'REQ', display: 'Requirement', widgets: [{ name: 'name' }] }];
  const route: Route = (req) => pageOf(req.path.endsWith('/projects') ? projects : itemTypes, req);

  it('pages projects and caches them until the TTL passes', async () => {
    const clock = new FakeClock();
    const { server, client } = await jama(route, { clock, referenceDataTtlMs: 60_000 });
    expect(await client.listProjects()).toHaveLength(55);
    clock.advance(59_999);
    await client.listProjects();
    expect(server.rest()).toHaveLength(2); // 55 projects = 2 pages, fetched once
    clock.advance(1);
    await client.listProjects();
    await client.close();
    expect(server.rest()).toHaveLength(4);
  });

  it('caches item types separately and shares one load among concurrent callers', async () => {
    const { server, client } = await jama((req) => ({ ...(route(req) as object), delayMs: 20 }));
    const [a, b] = await Promise.all([client.listItemTypes(), client.listItemTypes()]);
    await client.listItemTypes();
    await client.close();
    expect(a).toEqual(b);
    expect(a[0]).toMatchObject({ id: 24, display: 'Requirement' });
    expect(server.rest().map((r) => r.url.pathname)).toEqual(['/rest/v1/itemtypes']);
  });

  it('does not cache with a TTL of 0', async () => {
    const { server, client } = await jama(route, { referenceDataTtlMs: 0 });
    await client.listItemTypes();
    await client.listItemTypes();
    await client.close();
    expect(server.rest()).toHaveLength(2);
  });
});

describe('jama client › writing items', () => {
  const input: JamaItemInput = {
    project: 20,
    itemType: 24,
    childItemType: 24,
    location: { parent: { item: 5 } },
    fields: { name: 'New requirement', description: '<p>why</p>' },
  };

  it('patches with a JSON array of operations', async () => {
    const { server, client } = await jama(() => ({ json: { meta: { status: 'OK' } } }));
    const ops = [
      { op: 'replace', path: '/fields/name', value: 'Renamed' },
      { op: 'remove', path: '/fields/description' },
    ] as const;
    await client.patchItem(12, ops);
    await client.close();
    const [request] = server.rest();
    expect(request).toMatchObject({ method: 'PATCH', path: '/rest/v1/items/12' });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(ops);
  });

  it('sends nothing for an empty patch and refuses paths outside /fields', async () => {
    const { server, client } = await jama(() => ({ json: { meta: { status: 'OK' } } }));
    await client.patchItem(12, []);
    await expect(
      client.patchItem(12, [{ op: 'replace', path: '/location/parent' as '/fields/x', value: 1 }]),
    ).rejects.toThrow(/path \/fields\/<name>/);
    await client.close();
    expect(server.requests).toHaveLength(0);
  });

  it('puts the whole item as JSON', async () => {
    const { server, client } = await jama(() => ({ json: { meta: { status: 'OK' } } }));
    await client.putItem(12, input);
    await client.close();
    const [request] = server.rest();
    expect(request).toMatchObject({ method: 'PUT', path: '/rest/v1/items/12' });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(input);
  });

  it.each([
    ['meta.id', { meta: { status: 'Created', id: 115200, location: 'https://x/rest/v1/items/115200' } }],
    ['meta.location', { meta: { status: 'Created', location: 'https://x/rest/v1/items/115200' } }],
  ])('creates an item and reads the new id from %s', async (_label, answer) => {
    const { server, client } = await jama(() => ({ status: 201, json: answer }));
    await expect(client.createItem(input)).resolves.toBe(115200);
    await client.close();
    const [request] = server.rest();
    expect(request).toMatchObject({ method: 'POST', path: '/rest/v1/items' });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(input);
  });

  it('deletes an item', async () => {
    const { server, client } = await jama(() => ({ status: 204 }));
    await client.deleteItem(12);
    await client.close();
    const [request] = server.rest();
    expect(request).toMatchObject({ method: 'DELETE', path: '/rest/v1/items/12', body: '' });
    expect(request?.headers['content-type']).toBeUndefined();
  });
});

/** The fake server saw each request finish before the next one started. */
function expectNoOverlap(requests: Seen[]): void {
  for (let i = 1; i < requests.length; i++) {
    const previous = requests[i - 1] as Seen;
    const current = requests[i] as Seen;
    expect(current.start).toBeGreaterThanOrEqual(previous.end);
  }
}

describe('jama client › relationship types', () => {
  it('caches /relationshiptypes, and reads it again once when a relationship names a type it lacks', async () => {
    const types = [{ id: 4, name: 'Related to' }];
    const { server, client } = await jama((req) =>
      req.url.pathname === '/rest/v1/relationshiptypes' ? pageOf([...types], req) : { status: 404 },
    );
    expect((await client.listRelationshipTypes({}, [4])).map((t) => t.name)).toEqual(['Related to']);
    await client.listRelationshipTypes({}, [4]);
    types.push({ id: 9, name: 'Implements' }); // created in Jama after the list was cached
    expect((await client.listRelationshipTypes({}, [4, 9])).map((t) => t.name)).toEqual([
      'Related to',
      'Implements',
    ]);
    await client.listRelationshipTypes({}, [77]); // unknown to Jama too: one more read…
    await client.listRelationshipTypes({}, [77]); // …and no more
    await client.close();
    expect(server.rest()).toHaveLength(3);
  });
});

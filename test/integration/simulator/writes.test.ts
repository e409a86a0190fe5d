import { type JamaItem, type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call, JAMA_DATE } from './http';

describe('simulator › writes', () => {
  let sim: JamaSimulator;
  let requirement: JamaItem;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 2, itemsPerProject: 30, rateLimit: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    requirement = sim.items().find((i) => i.itemType === 24) as JamaItem;
  });

  const patch = (id: number, ops: unknown) => call(sim, `/items/${id}`, { method: 'PATCH', json: ops });

  it('applies PATCH add, replace and remove on /fields/<name>', async () => {
    const { status, body } = await patch(requirement.id, [
      { op: 'replace', path: '/fields/name', value: 'Renamed' },
      { op: 'add', path: '/fields/rationale$24', value: '<p>why</p>' },
      { op: 'remove', path: '/fields/description' },
    ]);
    expect(status).toBe(200);
    expect(body.meta).toEqual({ status: 'OK', timestamp: expect.stringMatching(JAMA_DATE) });
    const fields = sim.getItem(requirement.id)?.fields;
    expect(fields).toEqual(expect.objectContaining({ name: 'Renamed', rationale$24: '<p>why</p>' }));
    expect(fields).not.toHaveProperty('description');
  });

  it.each([
    [
      'a move operation',
      [{ op: 'move', from: '/fields/name', path: '/fields/description' }],
      /Unsupported PATCH operation 'move'/,
    ],
    [
      'a path outside /fields',
      [{ op: 'replace', path: '/name', value: 'x' }],
      /Unsupported PATCH path '\/name'/,
    ],
    [
      'an undefined field',
      [{ op: 'add', path: '/fields/colour', value: 'red' }],
      /Field 'colour' is not defined/,
    ],
    ['a read-only field', [{ op: 'replace', path: '/fields/documentKey', value: 'X-1' }], /read-only/],
    ['removing the name', [{ op: 'remove', path: '/fields/name' }], /'name' is required/],
    ['a bad pick list value', [{ op: 'replace', path: '/fields/status', value: 9999 }], /pick list 88/],
    ['an object instead of an array', { op: 'add' }, /non-empty JSON array/],
  ])('refuses PATCH with %s: 400, nothing changed', async (_case, ops, message) => {
    const { status, body } = await patch(requirement.id, ops);
    expect(status).toBe(400);
    expect(body.meta).toEqual(
      expect.objectContaining({ status: 'Bad Request', message: expect.stringMatching(message) }),
    );
    expect(sim.getItem(requirement.id)).toEqual(requirement);
  });

  it('refuses malformed JSON with 400 and a non-JSON content type with 415', async () => {
    const url = `/items/${requirement.id}`;
    const malformed = await call(sim, url, {
      method: 'PATCH',
      body: '[{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.meta.message).toMatch(/Malformed JSON/);
    const text = await call(sim, url, {
      method: 'PATCH',
      body: '[]',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('replaces every field on PUT: fields left out are gone', async () => {
    const { status } = await call(sim, `/items/${requirement.id}`, {
      method: 'PUT',
      json: { project: requirement.project, itemType: 24, fields: { name: 'Only a name', status: 150 } },
    });
    expect(status).toBe(200);
    expect(sim.getItem(requirement.id)?.fields).toEqual({
      name: 'Only a name',
      status: 150,
      documentKey: requirement.documentKey,
      globalId: requirement.globalId,
    });
  });

  it('creates an item on POST: 201 with its id and location, then readable', async () => {
    const { status, body, headers } = await call(sim, '/items', {
      method: 'POST',
      json: {
        project: 21,
        itemType: 26,
        childItemType: 26,
        location: { parent: { item: sim.items().find((i) => i.project === 21)?.id } },
        fields: { name: 'Crash on boot', severity$26: 160 },
      },
    });
    expect(status).toBe(201);
    expect(body.meta).toEqual({
      status: 'Created',
      timestamp: expect.stringMatching(JAMA_DATE),
      id: expect.any(Number),
      location: `${sim.url}/rest/v1/items/${body.meta.id}`,
    });
    expect(headers.get('location')).toBe(body.meta.location);
    const created = (await call(sim, `/items/${body.meta.id}`)).body.data;
    expect(created).toEqual(
      expect.objectContaining({
        project: 21,
        itemType: 26,
        documentKey: expect.stringMatching(/-BUG-\d+$/),
        type: 'items',
      }),
    );
    expect(created.fields).toEqual(expect.objectContaining({ name: 'Crash on boot', severity$26: 160 }));
  });

  it('refuses POST without a location or with an unknown item type', async () => {
    const noLocation = await call(sim, '/items', {
      method: 'POST',
      json: { project: 20, itemType: 24, fields: { name: 'x' } },
    });
    expect(noLocation.status).toBe(400);
    expect(noLocation.body.meta.message).toMatch(/location.parent/);
    const badType = await call(sim, '/items', {
      method: 'POST',
      json: { project: 20, itemType: 99, location: { parent: { project: 20 } }, fields: { name: 'x' } },
    });
    expect(badType.status).toBe(400);
  });

  it('deletes on DELETE: 204, then 404, and a DELETE activity', async () => {
    const victim = sim.items().find((i) => i.project === 20 && i.id !== requirement.id) as JamaItem;
    const deleted = await call(sim, `/items/${victim.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await call(sim, `/items/${victim.id}`)).status).toBe(404);
    expect((await call(sim, `/abstractitems?documentKey=${victim.documentKey}`)).body.data).toEqual([]);
    const { body } = await call(sim, '/activities?project=20&eventType=DELETE');
    expect(body.data).toContainEqual(
      expect.objectContaining({
        item: victim.id,
        eventType: 'DELETE',
        objectType: 'ITEM',
        date: expect.stringMatching(JAMA_DATE),
      }),
    );
    expect((await call(sim, `/items/${victim.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('gives every write a later modifiedDate and lastActivityDate, however fast they come', async () => {
    const dates: string[] = [];
    for (let n = 0; n < 5; n++) {
      await patch(requirement.id, [{ op: 'replace', path: '/fields/name', value: `v${n}` }]);
      const item = (await call(sim, `/items/${requirement.id}`)).body.data;
      expect(item.lastActivityDate).toBe(item.modifiedDate);
      dates.push(item.modifiedDate);
    }
    expect(new Set(dates).size).toBe(5);
    expect(dates).toEqual([...dates].sort());
    expect(dates[0] && dates[0] > requirement.modifiedDate).toBe(true);
  });

  it('lists activities newest last, filtered by date and event type', async () => {
    const since = new Date(Date.now() - 1).toISOString().replace('Z', '+0000');
    await patch(requirement.id, [{ op: 'replace', path: '/fields/name', value: 'tracked' }]);
    const { body } = await call(
      sim,
      `/activities?project=${requirement.project}&date=${encodeURIComponent(since)}&eventType=UPDATE&objectType=ITEM`,
    );
    expect(body.data.at(-1)).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        item: requirement.id,
        eventType: 'UPDATE',
        user: 10,
        action: expect.any(String),
        details: expect.stringContaining(requirement.documentKey),
      }),
    );
    expect(body.data.every((a: { eventType: string }) => a.eventType === 'UPDATE')).toBe(true);
    expect((await call(sim, '/activities')).status).toBe(400);
  });
});

import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call } from './http';

describe('simulator › relationships', () => {
  let sim: JamaSimulator;
  beforeAll(async () => {
    sim = await startJamaSimulator({
      projects: 2,
      itemsPerProject: 40,
      relationshipsPerItem: 2,
      rateLimit: 0,
    });
  });
  afterAll(() => sim.close());

  const control = (path: string, method = 'GET', json?: unknown) =>
    call(sim, `/__control/${path}`, { method, ...(json === undefined ? {} : { json }) });

  it("pages a project's relationships by lastId as Jama 9.6.2+ does, and refuses paging without it", async () => {
    const inProject = sim.relationships().filter((r) => sim.getItem(r.fromItem)?.project === 20);
    expect(inProject.length).toBeGreaterThan(40);
    const first = await call(sim, '/relationships?project=20&lastId=0&maxResults=50');
    expect(first.status).toBe(200);
    expect(first.body.data[0]).toEqual({ ...inProject[0], type: 'relationships' });
    const last = first.body.data.at(-1).id;
    const second = await call(sim, `/relationships?project=20&lastId=${last}&maxResults=50`);
    expect([...first.body.data, ...second.body.data].map((r: { id: number }) => r.id)).toEqual(
      inProject.map((r) => r.id),
    );
    const refused = await call(sim, '/relationships?project=20&startAt=50');
    expect(refused.status).toBe(400);
    expect(refused.body.meta).toMatchObject({
      status: 'Bad Request',
      message: expect.stringMatching(/`lastId` is required/),
    });
  });

  it('names relationship types and answers 404 for a relationship that does not exist', async () => {
    const types = await call(sim, '/relationshiptypes');
    expect(types.body.data.map((t: { name: string }) => t.name)).toContain('Verified by');
    const missing = await call(sim, '/relationships/999');
    expect(missing.status).toBe(404);
  });

  it('links, relinks and unlinks through the control API, each a RELATIONSHIP activity', async () => {
    const [a, b, c] = sim.items();
    const made = await control('relationships', 'POST', {
      fromItem: a?.id,
      toItem: b?.id,
      relationshipType: 5,
    });
    expect(made.status).toBe(201);
    const id = made.body.id;
    expect((await call(sim, `/relationships/${id}`)).body.data).toMatchObject({
      fromItem: a?.id,
      toItem: b?.id,
      relationshipType: 5,
      suspect: false,
    });
    const moved = await control(`relationships/${id}`, 'PATCH', { toItem: c?.id, suspect: true });
    expect(moved.body).toMatchObject({ toItem: c?.id, suspect: true });
    expect((await control(`relationships/${id}`, 'DELETE')).status).toBe(204);
    expect((await call(sim, `/relationships/${id}`)).status).toBe(404);
    const activities = await call(sim, '/activities?project=20&objectType=RELATIONSHIP&maxResults=50');
    expect(
      activities.body.data
        .filter((x: { item: number }) => x.item === id)
        .map((x: { eventType: string }) => x.eventType),
    ).toEqual(['CREATE', 'UPDATE', 'DELETE']);
    const self = await control('relationships', 'POST', { fromItem: a?.id, toItem: a?.id });
    expect(self).toMatchObject({ status: 400, body: { error: 'An item cannot be related to itself.' } });
    const badType = await control('relationships', 'POST', {
      fromItem: a?.id,
      toItem: b?.id,
      relationshipType: 77,
    });
    expect(badType).toMatchObject({ status: 400, body: { error: 'Relationship type 77 does not exist.' } });
  });

  it('deleting an item removes its links, each reported as a relationship DELETE', async () => {
    const victim = sim.relationships().find((r) => sim.getItem(r.fromItem)?.project === 21);
    const itemId = victim?.toItem ?? 0;
    const touching = sim.relationships().filter((r) => r.fromItem === itemId || r.toItem === itemId);
    sim.deleteItem(itemId);
    expect(sim.relationships().some((r) => r.fromItem === itemId || r.toItem === itemId)).toBe(false);
    const activities = await call(
      sim,
      '/activities?project=21&objectType=RELATIONSHIP&eventType=DELETE&maxResults=50',
    );
    const deleted = activities.body.data.map((x: { item: number }) => x.item);
    // Seeded links stay within a project, so every one of them is reported in project 21.
    expect(touching.length).toBeGreaterThan(0);
    for (const r of touching) expect(deleted).toContain(r.id);
  });
});

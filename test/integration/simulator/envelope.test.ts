import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call, JAMA_DATE } from './http';

describe('simulator › envelopes and paging', () => {
  let sim: JamaSimulator;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 2, itemsPerProject: 60, rateLimit: 0 });
  });
  afterAll(() => sim.close());

  it('wraps lists in meta (status, timestamp, pageInfo), links, linked and data', async () => {
    const { status, body } = await call(sim, '/projects');
    expect(status).toBe(200);
    expect(body).toEqual({
      meta: {
        status: 'OK',
        timestamp: expect.stringMatching(JAMA_DATE),
        pageInfo: { startIndex: 0, resultCount: 2, totalResults: 2 },
      },
      links: {},
      linked: {},
      data: [
        expect.objectContaining({ id: 20, isFolder: false, type: 'projects' }),
        expect.objectContaining({ id: 21 }),
      ],
    });
    expect(body.data[0].fields).toEqual(
      expect.objectContaining({ projectKey: body.data[0].projectKey, name: expect.any(String) }),
    );
  });

  it('answers one resource without pageInfo and with an object as data', async () => {
    const id = sim.items()[3]?.id;
    const { status, body } = await call(sim, `/items/${id}`);
    expect(status).toBe(200);
    expect(body.meta).toEqual({ status: 'OK', timestamp: expect.stringMatching(JAMA_DATE) });
    expect(body.data).toEqual(sim.getItem(id ?? 0));
  });

  it('serves items in Jama’s shape, dates as yyyy-MM-ddTHH:mm:ss.SSS+0000', async () => {
    const { body } = await call(sim, '/items?project=20&maxResults=5');
    for (const item of body.data) {
      expect(item).toEqual(
        expect.objectContaining({
          id: expect.any(Number),
          documentKey: expect.stringMatching(/^[A-Z]{3}-(REQ|TC|BUG|TXT)-\d+$/),
          globalId: expect.stringMatching(/^GID-\d+$/),
          project: 20,
          itemType: expect.any(Number),
          childItemType: expect.any(Number),
          createdBy: expect.any(Number),
          modifiedBy: expect.any(Number),
          lock: expect.objectContaining({ locked: false }),
          type: 'items',
        }),
      );
      expect(item.location).toEqual(
        expect.objectContaining({
          sortOrder: expect.any(Number),
          globalSortOrder: expect.any(Number),
          sequence: expect.any(String),
        }),
      );
      expect(item.fields).toEqual(
        expect.objectContaining({
          name: expect.any(String),
          description: expect.stringMatching(/^<p>/),
          status: expect.any(Number),
        }),
      );
      const custom = Object.keys(item.fields).filter((name) => name.endsWith(`$${item.itemType}`));
      expect(custom.length > 0).toBe(item.itemType !== 27);
      for (const date of [item.createdDate, item.modifiedDate, item.lastActivityDate])
        expect(date).toMatch(JAMA_DATE);
    }
  });

  it('pages 20 by default, up to 50, and refuses 51', async () => {
    expect((await call(sim, '/items?project=20')).body.data).toHaveLength(20);
    const fifty = await call(sim, '/items?project=20&maxResults=50');
    expect(fifty.body.meta.pageInfo).toEqual({ startIndex: 0, resultCount: 50, totalResults: 60 });
    const tooMany = await call(sim, '/abstractitems?maxResults=51');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.meta).toEqual(
      expect.objectContaining({
        status: 'Bad Request',
        message: expect.stringContaining('maxResults must be ≤ 50'),
      }),
    );
  });

  it('walks a project with startAt without gaps or repeats', async () => {
    const ids: number[] = [];
    for (let startAt = 0; ; startAt += 25) {
      const { body } = await call(sim, `/items?project=21&startAt=${startAt}&maxResults=25`);
      ids.push(...body.data.map((i: { id: number }) => i.id));
      if (startAt + body.meta.pageInfo.resultCount >= body.meta.pageInfo.totalResults) break;
    }
    expect(ids).toEqual(
      sim
        .items()
        .filter((i) => i.project === 21)
        .map((i) => i.id),
    );
  });

  it.each([
    ['/items', 400, 'Bad Request', /`project` is required/],
    ['/items/1', 404, 'Not Found', /Item 1 was not found/],
    ['/items?project=99', 404, 'Not Found', /Project 99/],
    ['/itemtypes/99', 404, 'Not Found', /Item type 99/],
    ['/nothing-here', 404, 'Not Found', /No REST endpoint/],
    ['/items?project=20&startAt=-1', 400, 'Bad Request', /startAt/],
  ])('answers GET %s with %i and a Jama error envelope', async (path, status, reason, message) => {
    const answer = await call(sim, path);
    expect(answer.status).toBe(status);
    expect(answer.body.meta).toEqual({
      status: reason,
      timestamp: expect.stringMatching(JAMA_DATE),
      message: expect.stringMatching(message),
    });
  });

  it('serves item types with their field definitions, and pick list options', async () => {
    const { body } = await call(sim, '/itemtypes');
    expect(body.data.map((t: { id: number; typeKey: string }) => [t.id, t.typeKey])).toEqual([
      [24, 'REQ'],
      [25, 'TC'],
      [26, 'BUG'],
      [27, 'TXT'],
    ]);
    const requirement = (await call(sim, '/itemtypes/24')).body.data;
    expect(requirement.fields).toContainEqual(
      expect.objectContaining({ name: 'status', fieldType: 'LOOKUP', pickList: 88 }),
    );
    const options = (await call(sim, '/picklists/88/options')).body.data;
    expect(options.map((o: { id: number }) => o.id)).toContain(sim.items()[0]?.fields.status);
  });

  it('answers 405 for a method an endpoint does not support', async () => {
    const { status, body } = await call(sim, '/projects', { method: 'DELETE' });
    expect(status).toBe(405);
    expect(body.meta.status).toBe('Method Not Allowed');
  });
});

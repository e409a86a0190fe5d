import { type JamaItem, type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call } from './http';

const oauthToken = async (sim: JamaSimulator) => {
  const res = await fetch(`${sim.url}/rest/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('jama-sync:jama-sync-secret').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
};

describe('simulator › reference data for write-back and readable copies', () => {
  let sim: JamaSimulator;
  let requirement: JamaItem;
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 1, itemsPerProject: 20, rateLimit: 0 });
    requirement = sim.items().find((i) => i.itemType === 24) as JamaItem;
  });
  afterAll(() => sim.close());

  const patch = (ops: unknown) => call(sim, `/items/${requirement.id}`, { method: 'PATCH', json: ops });

  it('answers /users/current with the user behind the OAuth client, and admin for Basic', async () => {
    const token = await oauthToken(sim);
    const mine = await call(sim, '/users/current', { headers: { Authorization: `Bearer ${token}` } });
    expect(mine.body.data).toMatchObject({ id: 50, username: 'jama-sync', type: 'users' });
    expect((await call(sim, '/users/current')).body.data).toMatchObject({ id: 10, username: 'admin' });
  });

  it('lists users with paging and finds one by username or email', async () => {
    const all = await call(sim, '/users?maxResults=2');
    expect(all.body.meta.pageInfo).toEqual({ startIndex: 0, resultCount: 2, totalResults: 6 });
    const byEmail = await call(sim, '/users?email=GRACE.HOPPER@example.com');
    expect(byEmail.body.data).toEqual([
      expect.objectContaining({ id: 11, firstName: 'Grace', lastName: 'Hopper' }),
    ]);
    expect((await call(sim, '/users/12')).body.data).toMatchObject({ username: 'alan.turing' });
    expect((await call(sim, '/users/999')).status).toBe(404);
  });

  it('serves item types with field keys, labels, field types and pick lists', async () => {
    const { body } = await call(sim, '/itemtypes/24');
    expect(body.data.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'priority$24',
          label: 'Priority',
          fieldType: 'LOOKUP',
          pickList: 89,
        }),
        expect.objectContaining({ name: 'owner$24', label: 'Owner', fieldType: 'USER' }),
        expect.objectContaining({ name: 'dueDate$24', label: 'Due date', fieldType: 'DATE' }),
      ]),
    );
    const options = await call(sim, '/picklists/88/options');
    expect(options.body.data.map((o: { name: string }) => o.name)).toEqual([
      'Draft',
      'In Review',
      'Approved',
      'Rejected',
    ]);
  });

  it.each([
    [
      'a label instead of the field key',
      [{ op: 'replace', path: '/fields/Priority', value: 160 }],
      /Field 'Priority' is not defined/,
    ],
    [
      'an option name instead of its id',
      [{ op: 'replace', path: '/fields/status', value: 'Approved' }],
      /expects an option id of pick list 88/,
    ],
    ['an unknown user', [{ op: 'replace', path: '/fields/owner$24', value: 999 }], /expects a user id/],
    [
      'a date that is not yyyy-MM-dd',
      [{ op: 'replace', path: '/fields/dueDate$24', value: '03/01/2026' }],
      /expects a date/,
    ],
  ])('answers %s with Jama’s 400', async (_, ops, message) => {
    const before = sim.getItem(requirement.id)?.modifiedDate;
    const { status, body } = await patch(ops);
    expect(status).toBe(400);
    expect(body.meta).toEqual(
      expect.objectContaining({ status: 'Bad Request', message: expect.stringMatching(message) }),
    );
    expect(sim.getItem(requirement.id)?.modifiedDate).toBe(before);
  });

  it('accepts keys, option ids, user ids and ISO dates, and records who wrote', async () => {
    const { status } = await patch([
      { op: 'replace', path: '/fields/status', value: 152 },
      { op: 'replace', path: '/fields/owner$24', value: 12 },
      { op: 'replace', path: '/fields/dueDate$24', value: '2026-03-01' },
    ]);
    expect(status).toBe(200);
    expect(sim.getItem(requirement.id)).toMatchObject({
      modifiedBy: 10,
      fields: { status: 152, owner$24: 12, dueDate$24: '2026-03-01' },
    });
  });
});

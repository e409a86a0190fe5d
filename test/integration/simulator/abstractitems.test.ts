import { type JamaItem, type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call, q } from './http';

const ids = (data: JamaItem[]) => data.map((i) => i.id);

describe('simulator › GET /abstractitems filters', () => {
  let sim: JamaSimulator;
  let all: JamaItem[];
  beforeAll(async () => {
    sim = await startJamaSimulator({ projects: 3, itemsPerProject: 40, rateLimit: 0, seed: 3 });
    all = sim.items();
  });
  afterAll(() => sim.close());

  /** Every page of a search, concatenated. */
  async function search(query: string): Promise<JamaItem[]> {
    const out: JamaItem[] = [];
    for (let startAt = 0; ; startAt += 50) {
      const { status, body } = await call(sim, `/abstractitems?${query}&startAt=${startAt}&maxResults=50`);
      expect(status).toBe(200);
      out.push(...body.data);
      if (out.length >= body.meta.pageInfo.totalResults) return out;
    }
  }

  it('returns everything in id order without filters', async () => {
    expect(ids(await search('include=data.createdBy'))).toEqual(ids(all));
  });

  it('fetches many items in one call by repeated documentKey', async () => {
    const wanted = [all[5], all[77], all[100]].map((i) => i?.documentKey ?? '');
    const { body } = await call(
      sim,
      `/abstractitems?${wanted.map((k) => `documentKey=${k}`).join('&')}&documentKey=NOPE-REQ-1`,
    );
    expect(body.data.map((i: JamaItem) => i.documentKey)).toEqual(wanted);
    expect(body.meta.pageInfo.totalResults).toBe(3);
  });

  it('filters by project and by several item types', async () => {
    expect(ids(await search('project=21'))).toEqual(ids(all.filter((i) => i.project === 21)));
    expect(ids(await search('project=20&project=22&itemType=25&itemType=26'))).toEqual(
      ids(all.filter((i) => i.project !== 21 && (i.itemType === 25 || i.itemType === 26))),
    );
  });

  it('takes one lastActivityDate as "on or after" and two as an inclusive range', async () => {
    const sorted = [...all].sort((a, b) => a.lastActivityDate.localeCompare(b.lastActivityDate));
    const from = sorted[30]?.lastActivityDate ?? '';
    const to = sorted[60]?.lastActivityDate ?? '';
    const after = await search(`lastActivityDate=${q(from)}`);
    expect(ids(after)).toEqual(ids(all.filter((i) => i.lastActivityDate >= from)));
    const range = await search(`lastActivityDate=${q(from)}&lastActivityDate=${q(to)}`);
    expect(ids(range)).toEqual(
      ids(all.filter((i) => i.lastActivityDate >= from && i.lastActivityDate <= to)),
    );
    expect(range).toHaveLength(31);
  });

  it('filters on modifiedDate, including writes made a moment ago', async () => {
    const target = all[9]?.id ?? 0;
    const before = Date.now() - 1;
    sim.updateItem(target, { name: 'fresh' });
    const since = new Date(before).toISOString().replace('Z', '+0000');
    expect(ids(await search(`modifiedDate=${q(since)}`))).toEqual([target]);
    all = sim.items();
  });

  it('matches text in the name or description with contains', async () => {
    const found = await search('contains=WATCHDOG');
    expect(found.length).toBeGreaterThan(0);
    expect(ids(found)).toEqual(
      ids(all.filter((i) => `${i.fields.name} ${i.fields.description}`.toLowerCase().includes('watchdog'))),
    );
  });

  it.each([
    [
      'lastActivityDate.desc',
      (a: JamaItem, b: JamaItem) => b.lastActivityDate.localeCompare(a.lastActivityDate) || a.id - b.id,
    ],
    [
      'modifiedDate.asc',
      (a: JamaItem, b: JamaItem) => a.modifiedDate.localeCompare(b.modifiedDate) || a.id - b.id,
    ],
    ['documentKey.asc', (a: JamaItem, b: JamaItem) => (a.documentKey < b.documentKey ? -1 : 1)],
    ['id.desc', (a: JamaItem, b: JamaItem) => b.id - a.id],
  ])('sorts by %s (ties by id)', async (sortBy, compare) => {
    expect(ids(await search(`project=20&sortBy=${sortBy}`))).toEqual(
      ids(all.filter((i) => i.project === 20).sort(compare)),
    );
  });

  it.each([
    [
      'lastActivityDate=2021-04-23T19:56:56.000Z',
      /Invalid lastActivityDate value '2021-04-23T19:56:56.000Z'/,
    ],
    ['modifiedDate=2021-04-23T19:56:56.000+0000', /encode '\+' as %2B/],
    ['createdDate=a&createdDate=b&createdDate=c', /one value .* or two/],
    ['sortBy=name.asc', /Invalid sortBy 'name.asc'/],
    ['project=abc', /Expected `project` to be an integer/],
  ])('refuses %s with 400 and a clear message', async (query, message) => {
    const { status, body } = await call(sim, `/abstractitems?${query}`);
    expect(status).toBe(400);
    expect(body.meta.message).toMatch(message);
  });
});

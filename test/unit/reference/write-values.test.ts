import { resolveChanges } from '../../../src/core/reference/write-values';
import { FakeClock } from '../../support/fake-clock';
import { pushServices } from '../../support/reference-fakes';

const requirement = { id: 7, itemType: 24 };
const risk = { id: 8, itemType: 30 };

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const { reference, reader } = pushServices(clock);
  const resolve = (changes: Record<string, unknown>, item = requirement) =>
    resolveChanges(
      'prod',
      item,
      Object.entries(changes).map(([field, value]) => ({ op: 'replace' as const, field, value })),
      reference,
    );
  return { clock, reader, resolve };
}

describe('write-back values', () => {
  it('maps labels to keys and option names to ids, with one read per list', async () => {
    const { resolve, reader } = setup();
    expect(await resolve({ Priority: 'High', status: 'Approved', Status: 'in review' })).toEqual({
      ok: true,
      ops: [
        { op: 'replace', path: '/fields/priority$24', value: 160 },
        { op: 'replace', path: '/fields/status', value: 152 },
        { op: 'replace', path: '/fields/status', value: 151 },
      ],
    });
    expect(Object.fromEntries(reader.reads)).toEqual({ itemTypes: 1, 'pickList#89': 1, 'pickList#88': 1 });
  });

  it.each([
    ['a user by id', { Owner: 11 }, 11],
    ['a user by username', { owner$24: 'grace' }, 11],
    ['a user by email, ignoring case', { Owner: 'grace.hopper@EXAMPLE.com' }, 11],
    ['an option by id', { status: 150 }, 150],
    ['an ISO date', { 'Due date': '2026-03-01' }, '2026-03-01'],
    ['the date of an ISO date-time, as written', { 'due date': '2026-03-01T23:30:00-05:00' }, '2026-03-01'],
    ['an integer from a numeric string', { Estimate: '42' }, 42],
    ['rich text as the HTML given', { description: '<p>Shall <b>stop</b></p>' }, '<p>Shall <b>stop</b></p>'],
    ['null, to clear a field', { Priority: null }, null],
  ])('resolves %s', async (_, changes, value) => {
    const result = await setup().resolve(changes);
    expect(result).toMatchObject({ ok: true, ops: [{ value }] });
  });

  it.each([
    [
      'an unknown field',
      { Prio: 'High' },
      /^item 7: field "Prio" is not a field of item type 24 \(Requirement\); valid: name \(Name\), .*priority\$24 \(Priority\)/,
    ],
    [
      'a wrong option name',
      { Priority: 'Urgent' },
      /^item 7: field "Priority": value "Urgent" is not an option of pick list 89; valid: High \(160\), Medium \(161\), Low \(162\)$/,
    ],
    [
      'an option id of another list',
      { status: 160 },
      /value 160 is not an option of pick list 88; valid: Draft \(150\)/,
    ],
    ['an unknown user', { Owner: 'nobody' }, /field "Owner": value "nobody" is not a Jama user/],
    ['a date that is not ISO', { 'Due date': '03/01/2026' }, /value "03\/01\/2026" is not an ISO date/],
    ['a read-only field', { ID: 'X-1' }, /field "ID" is read-only/],
    ['text for an integer', { Estimate: 'soon' }, /is not an integer/],
  ])('refuses %s with a reason naming item, field, value and choices', async (_, changes, reason) => {
    const result = await setup().resolve(changes);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('refuses a label two fields share instead of guessing, and accepts their keys', async () => {
    const { resolve } = setup();
    expect(await resolve({ Impact: 'High' }, risk)).toEqual({
      ok: false,
      reason:
        'item 8: field "Impact" is ambiguous: the label names impact$30, impactNote$30; use the field key',
    });
    expect(await resolve({ impact$30: 'High' }, risk)).toMatchObject({ ok: true, ops: [{ value: 160 }] });
  });

  it('refreshes the item type once for a field added in Jama since it was read', async () => {
    const { resolve, reader, clock } = setup();
    await resolve({ name: 'x' });
    clock.advance(60_000);
    reader.itemTypeList[0]?.fields?.push({ name: 'risk$24', label: 'Risk', fieldType: 'STRING' });
    expect(await resolve({ Risk: 'low' })).toMatchObject({ ok: true, ops: [{ path: '/fields/risk$24' }] });
    expect(await resolve({ Nope: 'x' })).toMatchObject({ ok: false });
    expect(reader.reads.get('itemTypes')).toBe(2);
  });
});

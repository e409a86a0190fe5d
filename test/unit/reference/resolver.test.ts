import { itemTypes, pickListOptions, users } from '../../../src/core/reference/lists';
import { ReferenceResolver } from '../../../src/core/reference/resolver';
import { FakeClock } from '../../support/fake-clock';
import { FakeReferenceReader, MemoryReferenceStore } from '../../support/reference-fakes';

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const reader = new FakeReferenceReader();
  const store = new MemoryReferenceStore();
  const make = () => new ReferenceResolver({ reader: () => reader, store, clock, ttlMs: 60_000 });
  return { clock, reader, store, resolver: make(), make };
}

describe('reference resolver', () => {
  it('reads each list once however many callers ask at once, and keeps it for the TTL', async () => {
    const { clock, reader, resolver } = setup();
    await Promise.all(Array.from({ length: 50 }, () => resolver.byId('prod', itemTypes, 24)));
    clock.advance(59_000);
    expect(await resolver.byId('prod', pickListOptions(88), 152)).toMatchObject({ name: 'Approved' });
    expect(await resolver.byId('prod', itemTypes, 24)).toMatchObject({ display: 'Requirement' });
    expect(Object.fromEntries(reader.reads)).toEqual({ itemTypes: 1, 'pickList#88': 1 });
    clock.advance(2000);
    await resolver.byId('prod', itemTypes, 24);
    expect(reader.reads.get('itemTypes')).toBe(2);
  });

  it('shares lists through the store: a second container (Lambda) reads none from Jama', async () => {
    const { reader, resolver, make } = setup();
    await resolver.all('prod', users);
    await make().all('prod', users);
    expect(reader.reads.get('users')).toBe(1);
  });

  it('keeps environments apart', async () => {
    const { reader, resolver } = setup();
    await resolver.all('prod', users);
    await resolver.all('test', users);
    expect(reader.reads.get('users')).toBe(2);
  });

  it('refreshes a list once on an unknown id, but not again while the copy is fresh', async () => {
    const { clock, reader, resolver } = setup();
    await resolver.all('prod', users);
    clock.advance(40_000);
    reader.users_.push({ id: 12, username: 'alan', firstName: 'Alan', lastName: 'Turing' });
    expect(await resolver.byId('prod', users, 12)).toMatchObject({ username: 'alan' });
    expect(await resolver.byId('prod', users, 999)).toBeUndefined();
    expect(await resolver.byId('prod', users, 998)).toBeUndefined();
    expect(reader.reads.get('users')).toBe(2);
  });

  it('serves from Jama when the store fails, and says which environment is unknown', async () => {
    const { reader, store, resolver } = setup();
    store.get = () => Promise.reject(new Error('DynamoDB is down'));
    store.put = () => Promise.reject(new Error('DynamoDB is down'));
    expect(await resolver.byId('prod', users, 10)).toMatchObject({ username: 'ada' });
    expect(reader.reads.get('users')).toBe(1);
    const none = new ReferenceResolver({ reader: () => undefined, store, clock: new FakeClock() });
    await expect(none.all('nope', users)).rejects.toThrow('No Jama environment `nope` to read users from');
  });
});

import { generateDataset } from '../../../src/simulator/data';
import { JamaStore } from '../../../src/simulator/store';

const NOW = Date.UTC(2026, 0, 1);

function makeStore() {
  return new JamaStore(generateDataset({ seed: 7, projects: 2, itemsPerProject: 30 }));
}

describe('JamaStore', () => {
  it('stamps each write strictly later than the previous one, even within one millisecond', () => {
    const store = makeStore();
    const [a, b] = [...store.all()];
    const first = store.setFields(a?.item.id ?? 0, { name: 'one' }, 10, NOW).item.modifiedDate;
    const second = store.setFields(b?.item.id ?? 0, { name: 'two' }, 10, NOW).item.modifiedDate;
    const third = store.setFields(a?.item.id ?? 0, { name: 'three' }, 10, NOW).item.modifiedDate;
    expect(first).toBe('2026-01-01T00:00:00.000+0000');
    expect(second).toBe('2026-01-01T00:00:00.001+0000');
    expect(third).toBe('2026-01-01T00:00:00.002+0000');
  });

  it('keeps read-only fields and sets modifiedBy and lastActivityDate on a write', () => {
    const store = makeStore();
    const { item } = store.all().next().value ?? { item: undefined };
    const updated = store.setFields(item?.id ?? 0, { name: 'renamed' }, 42, NOW).item;
    expect(updated.fields).toEqual({
      name: 'renamed',
      documentKey: item?.documentKey,
      globalId: item?.globalId,
    });
    expect(updated.modifiedBy).toBe(42);
    expect(updated.lastActivityDate).toBe(updated.modifiedDate);
  });

  it('creates items with the next document key of their project and type', () => {
    const store = makeStore();
    const project = store.projects[0];
    const existing = [...store.inProject(project?.id ?? 0)].filter((s) => s.item.itemType === 27).length;
    const created = store.create(
      { project: project?.id ?? 0, itemType: 27, fields: { name: 'new' } },
      10,
      NOW,
    ).item;
    expect(created.documentKey).toBe(`${project?.projectKey}-TXT-${existing + 1}`);
    expect(store.getByDocumentKey(created.documentKey)?.item.id).toBe(created.id);
    expect(store.activities().at(-1)).toMatchObject({ item: created.id, eventType: 'CREATE' });
  });

  it('forgets deleted items in every index and records a DELETE activity', () => {
    const store = makeStore();
    const { item } = store.all().next().value ?? { item: undefined };
    store.delete(item?.id ?? 0, 10, NOW);
    expect(store.get(item?.id ?? 0)).toBeUndefined();
    expect(store.getByDocumentKey(item?.documentKey ?? '')).toBeUndefined();
    expect([...store.inProject(item?.project ?? 0)].some((s) => s.item.id === item?.id)).toBe(false);
    expect(store.activities().at(-1)).toMatchObject({
      item: item?.id,
      eventType: 'DELETE',
      objectType: 'ITEM',
    });
    expect(() => store.require(item?.id ?? 0)).toThrow(/was not found/);
  });

  it('refuses a parent item from another project', () => {
    const store = makeStore();
    const other = [...store.inProject(21)][0];
    expect(() =>
      store.create(
        { project: 20, itemType: 24, parent: { item: other?.item.id ?? 0 }, fields: { name: 'x' } },
        10,
        NOW,
      ),
    ).toThrow(/does not exist in project 20/);
  });
});

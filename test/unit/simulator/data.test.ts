import { ITEM_TYPES, optionIds, STATUS_PICKLIST } from '../../../src/simulator/catalog';
import { generateDataset } from '../../../src/simulator/data';
import { tryParseJamaDate } from '../../../src/simulator/query-date';

const JAMA_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

describe('generateDataset', () => {
  const options = { seed: 1, projects: 3, itemsPerProject: 200 };
  const data = generateDataset(options);

  it('gives the same data for the same seed', () => {
    expect(generateDataset(options)).toEqual(data);
  });

  it('gives different data for another seed', () => {
    const other = generateDataset({ ...options, seed: 2 });
    expect(other.items.map((i) => i.fields.name)).not.toEqual(data.items.map((i) => i.fields.name));
  });

  it('creates the requested number of projects and items, ids ascending', () => {
    expect(data.projects.map((p) => p.id)).toEqual([20, 21, 22]);
    expect(data.items).toHaveLength(600);
    const ids = data.items.map((i) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(data.projects.map((p) => p.projectKey)).size).toBe(3);
  });

  it('keys items as <projectKey>-<typeKey>-<n>, uniquely', () => {
    const keys = new Set<string>();
    for (const item of data.items) {
      const project = data.projects.find((p) => p.id === item.project);
      const type = ITEM_TYPES.find((t) => t.id === item.itemType);
      expect(item.documentKey).toMatch(new RegExp(`^${project?.projectKey}-${type?.typeKey}-\\d+$`));
      expect(item.fields.documentKey).toBe(item.documentKey);
      keys.add(item.documentKey);
    }
    expect(keys.size).toBe(data.items.length);
  });

  it('dates everything in the past, in Jama format, modified on or after created', () => {
    for (const item of data.items) {
      for (const date of [item.createdDate, item.modifiedDate, item.lastActivityDate]) {
        expect(date).toMatch(JAMA_FORMAT);
        expect(tryParseJamaDate(date)).toBeLessThan(Date.now());
      }
      expect(item.modifiedDate >= item.createdDate).toBe(true);
    }
  });

  it('fills status from the status pick list and custom fields named <field>$<itemTypeId>', () => {
    const requirement = data.items.find((i) => i.itemType === 24);
    expect(optionIds(STATUS_PICKLIST)).toContain(requirement?.fields.status);
    expect(requirement?.fields).toHaveProperty('priority$24');
    expect(String(requirement?.fields.description)).toMatch(/^<p>.*<\/p>$/);
  });

  it('places items under their project or an item of the same project', () => {
    const byId = new Map(data.items.map((i) => [i.id, i]));
    for (const item of data.items) {
      const parent = item.location.parent;
      if ('project' in parent) expect(parent.project).toBe(item.project);
      else expect(byId.get(parent.item)?.project).toBe(item.project);
    }
  });

  it('records a CREATE activity per item, oldest first', () => {
    const creates = data.activities.filter((a) => a.eventType === 'CREATE');
    expect(creates).toHaveLength(data.items.length);
    const dates = data.activities.map((a) => a.date);
    expect(dates).toEqual([...dates].sort());
    expect(data.activities.map((a) => a.id)).toEqual(data.activities.map((_, i) => i + 1));
  });
});

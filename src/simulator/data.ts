import { ITEM_TYPES, optionIds, STATUS_PICKLIST } from './catalog';
import { createRng, type Rng } from './prng';
import { formatJamaDate } from './query-date';
import type { JamaActivity, JamaItem, JamaItemType, JamaParent, JamaProject } from './types';

/** What the simulator starts with; the same inputs always give the same data. */
export interface Dataset {
  projects: JamaProject[];
  /** Ascending by id. */
  items: JamaItem[];
  /** A CREATE (and, if modified later, an UPDATE) per item; oldest first. */
  activities: JamaActivity[];
}

export interface DatasetOptions {
  seed: number;
  projects: number;
  itemsPerProject: number;
}

/** Ids of the people who edited the seeded data; the first is also the default Basic-auth user. */
export const SEED_USER_IDS: readonly number[] = [10, 11, 12, 13, 14];
export const FIRST_PROJECT_ID = 20;
export const FIRST_ITEM_ID = 10_001;

// Seeded history lies wholly in the past, so every write the simulator serves is newer.
const HISTORY_START = Date.UTC(2021, 0, 1);
const HISTORY_END = Date.UTC(2025, 5, 30);
const DAY = 86_400_000;

const PRODUCTS = ['Infusion Pump', 'Brake Controller', 'Flight Display', 'Pacemaker', 'Battery Manager'];
const SUBJECTS = ['pressure sensor', 'alarm', 'watchdog', 'firmware update', 'power supply', 'user login'];
const QUALITIES = ['within 50 ms', 'after a reset', 'at low temperature', 'under full load', 'on power loss'];
const TYPE_MIX: readonly number[] = [24, 24, 24, 24, 24, 25, 25, 25, 26, 27];

function projectKey(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const key = Array.from({ length: 3 }, () => String.fromCharCode(65 + rng.int(0, 25))).join('');
    if (!taken.has(key)) {
      taken.add(key);
      return key;
    }
  }
}

function itemName(rng: Rng, typeKey: string): string {
  const subject = rng.pick(SUBJECTS);
  const quality = rng.pick(QUALITIES);
  if (typeKey === 'TC') return `Verify the ${subject} ${quality}`;
  if (typeKey === 'BUG') return `The ${subject} fails ${quality}`;
  if (typeKey === 'TXT') return `Overview of the ${subject}`;
  return `The system shall monitor the ${subject} ${quality}`;
}

function keyNumber(documentKey: string): number {
  return Number(documentKey.split('-').at(-1)) || 0;
}

function fieldsFor(rng: Rng, type: JamaItemType, key: string, globalId: string): Record<string, unknown> {
  const name = itemName(rng, type.typeKey);
  const fields: Record<string, unknown> = {
    documentKey: key,
    globalId,
    name,
    description: `<p>${name}. See ${rng.pick(PRODUCTS)} design notes.</p>`,
    status: rng.pick(optionIds(STATUS_PICKLIST)),
  };
  for (const def of type.fields.slice(5)) {
    if (def.fieldType === 'LOOKUP' && def.pickList !== undefined)
      fields[def.name] = rng.pick(optionIds(def.pickList));
    else if (def.fieldType === 'INTEGER') fields[def.name] = rng.int(5, 120);
    // Derived from the key, not drawn: adding these fields left the rest of the seeded data as it was.
    else if (def.fieldType === 'USER')
      fields[def.name] = SEED_USER_IDS[keyNumber(key) % SEED_USER_IDS.length];
    else if (def.fieldType === 'DATE') fields[def.name] = `2026-0${1 + (keyNumber(key) % 9)}-15`;
    else fields[def.name] = `<p>Because the ${rng.pick(SUBJECTS)} matters.</p>`;
  }
  return fields;
}

/** Generates projects, items and their activity history from a seed (pure). */
export function generateDataset(options: DatasetOptions): Dataset {
  const rng = createRng(options.seed);
  const keys = new Set<string>();
  const projects: JamaProject[] = [];
  const items: JamaItem[] = [];
  let nextId = FIRST_ITEM_ID;

  for (let p = 0; p < options.projects; p++) {
    const created = rng.int(HISTORY_START, HISTORY_START + 90 * DAY);
    const key = projectKey(rng, keys);
    const project: JamaProject = {
      id: FIRST_PROJECT_ID + p,
      projectKey: key,
      isFolder: false,
      createdDate: formatJamaDate(created),
      modifiedDate: formatJamaDate(created + rng.int(0, 30 * DAY)),
      createdBy: SEED_USER_IDS[0] ?? 10,
      modifiedBy: SEED_USER_IDS[0] ?? 10,
      fields: {
        projectKey: key,
        name: `${rng.pick(PRODUCTS)} ${p + 1}`,
        description: '<p>Seeded project</p>',
      },
      type: 'projects',
    };
    projects.push(project);

    const counters = new Map<number, number>();
    const children = new Map<string, number>();
    const sequences = new Map<number, string>();
    // Items that may hold others: the top three levels, so the tree stays shallow as in real projects.
    const containers: number[] = [];
    for (let i = 0; i < options.itemsPerProject; i++) {
      const type = ITEM_TYPES.find((t) => t.id === rng.pick(TYPE_MIX)) ?? (ITEM_TYPES[0] as JamaItemType);
      const n = (counters.get(type.id) ?? 0) + 1;
      counters.set(type.id, n);
      const id = nextId++;
      const documentKey = `${key}-${type.typeKey}-${n}`;
      const globalId = `GID-${id + 100_000}`;
      const parent: JamaParent =
        containers.length < 3 || rng.next() < 0.2 ? { project: project.id } : { item: rng.pick(containers) };
      const parentKey = 'item' in parent ? `i${parent.item}` : `p${parent.project}`;
      const sortOrder = children.get(parentKey) ?? 0;
      children.set(parentKey, sortOrder + 1);
      const parentSeq = 'item' in parent ? `${sequences.get(parent.item)}.` : '';
      const sequence = `${parentSeq}${sortOrder + 1}`;
      sequences.set(id, sequence);
      if (sequence.split('.').length < 3) containers.push(id);

      const createdMs = rng.int(HISTORY_START + 90 * DAY, HISTORY_END - 400 * DAY);
      const modifiedMs = rng.next() < 0.3 ? createdMs : createdMs + rng.int(1, 400 * DAY);
      const createdBy = rng.pick(SEED_USER_IDS);
      items.push({
        id,
        documentKey,
        globalId,
        project: project.id,
        itemType: type.id,
        childItemType: type.id,
        createdDate: formatJamaDate(createdMs),
        modifiedDate: formatJamaDate(modifiedMs),
        lastActivityDate: formatJamaDate(modifiedMs),
        createdBy,
        modifiedBy: modifiedMs === createdMs ? createdBy : rng.pick(SEED_USER_IDS),
        fields: fieldsFor(rng, type, documentKey, globalId),
        location: { sortOrder, globalSortOrder: (i + 1) * 1000, sequence, parent },
        lock: { locked: false, lastLockedDate: formatJamaDate(createdMs), lockedBy: createdBy },
        type: 'items',
      });
    }
  }
  return { projects, items, activities: seedActivities(items) };
}

function seedActivities(items: readonly JamaItem[]): JamaActivity[] {
  const events: Omit<JamaActivity, 'id'>[] = [];
  for (const item of items) {
    const base = {
      item: item.id,
      itemType: item.itemType,
      project: item.project,
      objectType: 'ITEM' as const,
    };
    const details = `${item.documentKey} ${String(item.fields.name)}`;
    events.push({
      ...base,
      date: item.createdDate,
      details,
      action: 'Item created',
      user: item.createdBy,
      eventType: 'CREATE',
      type: 'activities',
    });
    if (item.modifiedDate !== item.createdDate) {
      events.push({
        ...base,
        date: item.modifiedDate,
        details,
        action: 'Item updated',
        user: item.modifiedBy,
        eventType: 'UPDATE',
        type: 'activities',
      });
    }
  }
  // Jama dates share one width and offset, so string order is time order.
  events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.item - b.item));
  return events.map((e, i) => ({ ...e, id: i + 1 }));
}

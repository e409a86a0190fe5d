import { ITEM_TYPES, PICK_LIST_OPTIONS, PICK_LISTS } from './catalog';
import type { Dataset } from './data';
import { badRequest, notFound } from './http-error';
import { formatJamaDate, tryParseJamaDate } from './query-date';
import { type JamaRelationship, type RelationshipPatch, RelationshipStore } from './relationships';
import type {
  ActivityEventType,
  JamaActivity,
  JamaItem,
  JamaItemType,
  JamaParent,
  JamaPickList,
  JamaPickListOption,
  JamaProject,
  JamaUser,
} from './types';

/** An item with its dates as epoch ms, so filters and sorts need no parsing. */
export interface StoredItem {
  item: JamaItem;
  createdMs: number;
  modifiedMs: number;
  lastActivityMs: number;
}

/** What it takes to create an item. */
export interface NewItem {
  project: number;
  itemType: number;
  childItemType?: number;
  /** @default the project root */
  parent?: JamaParent;
  fields: Record<string, unknown>;
}

const READ_ONLY_FIELDS = ['documentKey', 'globalId'] as const;

/**
 * The state of one Jama environment: items (indexed by id, document key and project), their
 * activity stream, and reference data. Every write stamps a `modifiedDate` strictly later than
 * any before it, so clients that poll on dates never miss a change made in the same millisecond.
 */
export class JamaStore {
  readonly projects: readonly JamaProject[];
  readonly itemTypes: readonly JamaItemType[] = ITEM_TYPES;
  readonly pickLists: readonly JamaPickList[] = PICK_LISTS;
  readonly pickListOptions: readonly JamaPickListOption[] = PICK_LIST_OPTIONS;
  /** Links between items (Jama's relationships); see {@link link}, {@link relink}, {@link unlink}. */
  readonly relationships: RelationshipStore;
  /** How `GET /relationships` pages: `lastId` (Jama 9.6.2+) or `startAt` (older versions). */
  relationshipPaging: 'lastId' | 'startAt' = 'lastId';
  private readonly byId = new Map<number, StoredItem>();
  private readonly byKey = new Map<string, StoredItem>();
  private readonly byProject = new Map<number, Map<number, StoredItem>>();
  private readonly activityLog: JamaActivity[];
  private readonly keyCounters = new Map<string, number>();
  private nextId: number;
  private lastWrite = 0;

  /** The environment's users (`GET /users`); writes name them as `createdBy`/`modifiedBy`. */
  readonly users: readonly JamaUser[];

  constructor(
    dataset: Dataset,
    users: readonly JamaUser[] = [],
    relationships: readonly JamaRelationship[] = [],
  ) {
    this.projects = dataset.projects;
    this.users = users;
    this.relationships = new RelationshipStore(relationships);
    this.activityLog = [...dataset.activities];
    for (const project of dataset.projects) this.byProject.set(project.id, new Map());
    let maxId = 0;
    for (const item of dataset.items) {
      this.index(toStored(item));
      maxId = Math.max(maxId, item.id);
      const n = Number(item.documentKey.split('-').at(-1));
      const counter = `${item.project}:${item.itemType}`;
      this.keyCounters.set(counter, Math.max(this.keyCounters.get(counter) ?? 0, n));
      this.lastWrite = Math.max(this.lastWrite, tryParseJamaDate(item.lastActivityDate) ?? 0);
    }
    this.nextId = maxId + 1;
  }

  get(id: number): StoredItem | undefined {
    return this.byId.get(id);
  }

  getByDocumentKey(documentKey: string): StoredItem | undefined {
    return this.byKey.get(documentKey);
  }

  /** Live items, ascending by id (ids only grow, so insertion order is id order). */
  all(): IterableIterator<StoredItem> {
    return this.byId.values();
  }

  /** Live items of one project, ascending by id; empty for an unknown project. */
  inProject(project: number): IterableIterator<StoredItem> {
    return (this.byProject.get(project) ?? new Map<number, StoredItem>()).values();
  }

  project(id: number): JamaProject | undefined {
    return this.projects.find((p) => p.id === id);
  }

  itemType(id: number): JamaItemType | undefined {
    return this.itemTypes.find((t) => t.id === id);
  }

  /** Oldest first. */
  activities(): readonly JamaActivity[] {
    return this.activityLog;
  }

  create(input: NewItem, user: number, now: number): StoredItem {
    const project = this.project(input.project);
    if (!project) throw badRequest(`Project ${input.project} does not exist.`);
    const type = this.itemType(input.itemType);
    if (!type) throw badRequest(`Item type ${input.itemType} does not exist.`);
    const parent = input.parent ?? { project: project.id };
    const location = this.locationUnder(project.id, parent);
    const counter = `${project.id}:${type.id}`;
    const n = (this.keyCounters.get(counter) ?? 0) + 1;
    this.keyCounters.set(counter, n);
    const id = this.nextId++;
    const documentKey = `${project.projectKey}-${type.typeKey}-${n}`;
    const globalId = `GID-${id + 100_000}`;
    const at = formatJamaDate(this.stamp(now));
    const item: JamaItem = {
      id,
      documentKey,
      globalId,
      project: project.id,
      itemType: type.id,
      childItemType: input.childItemType ?? type.id,
      createdDate: at,
      modifiedDate: at,
      lastActivityDate: at,
      createdBy: user,
      modifiedBy: user,
      fields: { ...input.fields, documentKey, globalId },
      location,
      lock: { locked: false, lastLockedDate: at, lockedBy: user },
      type: 'items',
    };
    const stored = toStored(item);
    this.index(stored);
    this.record(stored, 'CREATE', user);
    return stored;
  }

  /** Replaces every field (read-only ones are kept), as `PUT` does; an UPDATE activity. */
  setFields(id: number, fields: Record<string, unknown>, user: number, now: number): StoredItem {
    const stored = this.require(id);
    const kept = Object.fromEntries(READ_ONLY_FIELDS.map((name) => [name, stored.item.fields[name]]));
    const at = this.stamp(now);
    stored.item.fields = { ...fields, ...kept };
    stored.item.modifiedDate = stored.item.lastActivityDate = formatJamaDate(at);
    stored.item.modifiedBy = user;
    stored.modifiedMs = stored.lastActivityMs = at;
    this.record(stored, 'UPDATE', user);
    return stored;
  }

  /** Removes the item from every index; a DELETE activity. */
  delete(id: number, user: number, now: number): void {
    const stored = this.require(id);
    // Jama removes an item's links with it; each shows up as a relationship DELETE activity.
    for (const r of this.relationships.touching(id)) this.unlink(r.id, user, now);
    this.byId.delete(id);
    this.byKey.delete(stored.item.documentKey);
    this.byProject.get(stored.item.project)?.delete(id);
    this.stamp(now);
    this.record(stored, 'DELETE', user);
  }

  /** Links two live items; a RELATIONSHIP CREATE activity in the project of `fromItem`. */
  link(
    fromItem: number,
    toItem: number,
    relationshipType: number,
    user: number,
    now: number,
  ): JamaRelationship {
    this.require(fromItem);
    this.require(toItem);
    const r = this.relationships.add(fromItem, toItem, relationshipType);
    this.recordRelationship(r, 'CREATE', user, now);
    return r;
  }

  /** Changes a relationship's ends, type or suspect flag; a RELATIONSHIP UPDATE activity. */
  relink(id: number, patch: RelationshipPatch, user: number, now: number): JamaRelationship {
    if (patch.fromItem !== undefined) this.require(patch.fromItem);
    if (patch.toItem !== undefined) this.require(patch.toItem);
    const r = this.relationships.update(id, patch);
    this.recordRelationship(r, 'UPDATE', user, now);
    return r;
  }

  /** Removes a relationship; a RELATIONSHIP DELETE activity. */
  unlink(id: number, user: number, now: number): void {
    const r = this.relationships.require(id);
    this.recordRelationship(r, 'DELETE', user, now);
    this.relationships.remove(id);
  }

  /** The project of a live item, if any. */
  projectOf(itemId: number): number | undefined {
    return this.byId.get(itemId)?.item.project;
  }

  require(id: number): StoredItem {
    const stored = this.byId.get(id);
    if (!stored) throw notFound(`Item ${id} was not found.`);
    return stored;
  }

  private index(stored: StoredItem): void {
    this.byId.set(stored.item.id, stored);
    this.byKey.set(stored.item.documentKey, stored);
    this.byProject.get(stored.item.project)?.set(stored.item.id, stored);
  }

  /** The write time: now, or 1 ms after the previous write if the clock has not moved on. */
  private stamp(now: number): number {
    this.lastWrite = Math.max(now, this.lastWrite + 1);
    return this.lastWrite;
  }

  private record(stored: StoredItem, eventType: ActivityEventType, user: number): void {
    const { item } = stored;
    const verb = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted' }[eventType];
    this.activityLog.push({
      id: this.activityLog.length + 1,
      date: formatJamaDate(this.lastWrite),
      details: `${item.documentKey} ${String(item.fields.name ?? '')}`,
      action: `Item ${verb}`,
      user,
      item: item.id,
      itemType: item.itemType,
      project: item.project,
      eventType,
      objectType: 'ITEM',
      type: 'activities',
    });
  }

  /** Relationship activities carry the relationship's id in `item` and belong to `fromItem`'s project. */
  private recordRelationship(r: JamaRelationship, eventType: ActivityEventType, user: number, now: number) {
    const from = this.byId.get(r.fromItem)?.item;
    const to = this.byId.get(r.toItem)?.item;
    const verb = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted' }[eventType];
    this.activityLog.push({
      id: this.activityLog.length + 1,
      date: formatJamaDate(this.stamp(now)),
      details: `${from?.documentKey ?? r.fromItem} → ${to?.documentKey ?? r.toItem}`,
      action: `Relationship ${verb}`,
      user,
      item: r.id,
      itemType: from?.itemType ?? 0,
      project: from?.project ?? 0,
      eventType,
      objectType: 'RELATIONSHIP',
      type: 'activities',
    });
  }

  private locationUnder(project: number, parent: JamaParent): JamaItem['location'] {
    let parentSequence = '';
    if ('item' in parent) {
      const parentItem = this.byId.get(parent.item);
      if (!parentItem || parentItem.item.project !== project) {
        throw badRequest(`Parent item ${parent.item} does not exist in project ${project}.`);
      }
      parentSequence = `${parentItem.item.location.sequence}.`;
    } else if (parent.project !== project) {
      throw badRequest(`Parent project ${parent.project} differs from the item's project ${project}.`);
    }
    let siblings = 0;
    let globalSortOrder = 0;
    for (const { item } of this.inProject(project)) {
      globalSortOrder = Math.max(globalSortOrder, item.location.globalSortOrder);
      const p = item.location.parent;
      if ('item' in parent ? 'item' in p && p.item === parent.item : 'project' in p) siblings++;
    }
    return {
      sortOrder: siblings,
      globalSortOrder: globalSortOrder + 1000,
      sequence: `${parentSequence}${siblings + 1}`,
      parent,
    };
  }
}

function toStored(item: JamaItem): StoredItem {
  const ms = (text: string) => tryParseJamaDate(text) ?? 0;
  return {
    item,
    createdMs: ms(item.createdDate),
    modifiedMs: ms(item.modifiedDate),
    lastActivityMs: ms(item.lastActivityDate),
  };
}

import { badRequest, notFound } from './http-error';
import { createRng } from './prng';
import type { JamaItem } from './types';

/** `GET /relationships` element, as Jama returns it. */
export interface JamaRelationship {
  id: number;
  fromItem: number;
  toItem: number;
  relationshipType: number;
  suspect: boolean;
  type: 'relationships';
}

/** `GET /relationshiptypes` element. */
export interface JamaRelationshipType {
  id: number;
  name: string;
  isDefault: boolean;
  type: 'relationshiptypes';
}

export const RELATIONSHIP_TYPES: readonly JamaRelationshipType[] = [
  { id: 4, name: 'Related to', isDefault: true, type: 'relationshiptypes' },
  { id: 5, name: 'Verified by', isDefault: false, type: 'relationshiptypes' },
  { id: 6, name: 'Derived from', isDefault: false, type: 'relationshiptypes' },
  { id: 7, name: 'Mitigated by', isDefault: false, type: 'relationshiptypes' },
];

export const FIRST_RELATIONSHIP_ID = 500_001;

/** A change to an existing relationship: any of its ends, its type or its suspect flag. */
export interface RelationshipPatch {
  fromItem?: number;
  toItem?: number;
  relationshipType?: number;
  suspect?: boolean;
}

/**
 * Seeded links: each item after the first of its project links to about `perItem` earlier items of
 * the same project (downstream traces), with a type drawn from {@link RELATIONSHIP_TYPES}. Pure.
 */
export function generateRelationships(
  items: readonly JamaItem[],
  seed: number,
  perItem: number,
): JamaRelationship[] {
  const rng = createRng(seed ^ 0x7e1a_710f);
  const out: JamaRelationship[] = [];
  const byProject = new Map<number, number[]>();
  for (const item of items) {
    const earlier = byProject.get(item.project) ?? [];
    byProject.set(item.project, earlier);
    const count = earlier.length === 0 ? 0 : Math.min(earlier.length, rng.int(0, 2 * perItem));
    const targets = new Set<number>();
    for (let i = 0; i < count; i++) targets.add(rng.pick(earlier));
    for (const toItem of targets) {
      out.push({
        id: FIRST_RELATIONSHIP_ID + out.length,
        fromItem: item.id,
        toItem,
        relationshipType: rng.pick(RELATIONSHIP_TYPES).id,
        suspect: rng.next() < 0.1,
        type: 'relationships',
      });
    }
    earlier.push(item.id);
  }
  return out;
}

/**
 * The relationships of one environment, ascending by id. A relationship belongs to the project of
 * its `fromItem`; both ends must exist and be distinct, as Jama requires.
 */
export class RelationshipStore {
  readonly types: readonly JamaRelationshipType[] = RELATIONSHIP_TYPES;
  private readonly byId = new Map<number, JamaRelationship>();
  private nextId: number;

  constructor(seeded: readonly JamaRelationship[]) {
    for (const r of seeded) this.byId.set(r.id, r);
    this.nextId = Math.max(FIRST_RELATIONSHIP_ID - 1, ...seeded.map((r) => r.id)) + 1;
  }

  get(id: number): JamaRelationship | undefined {
    return this.byId.get(id);
  }

  require(id: number): JamaRelationship {
    const found = this.byId.get(id);
    if (!found) throw notFound(`Relationship ${id} was not found.`);
    return found;
  }

  all(): JamaRelationship[] {
    return [...this.byId.values()];
  }

  /** Relationships whose `fromItem` is in the project (`projectOf` answers an item's project). */
  inProject(project: number, projectOf: (itemId: number) => number | undefined): JamaRelationship[] {
    return this.all().filter((r) => projectOf(r.fromItem) === project);
  }

  /** Relationships touching an item (either end). */
  touching(itemId: number): JamaRelationship[] {
    return this.all().filter((r) => r.fromItem === itemId || r.toItem === itemId);
  }

  add(fromItem: number, toItem: number, relationshipType: number): JamaRelationship {
    this.checkType(relationshipType);
    if (fromItem === toItem) throw badRequest('An item cannot be related to itself.');
    const r: JamaRelationship = {
      id: this.nextId++,
      fromItem,
      toItem,
      relationshipType,
      suspect: false,
      type: 'relationships',
    };
    this.byId.set(r.id, r);
    return r;
  }

  update(id: number, patch: RelationshipPatch): JamaRelationship {
    const r = this.require(id);
    if (patch.relationshipType !== undefined) this.checkType(patch.relationshipType);
    const next = { ...r, ...patch };
    if (next.fromItem === next.toItem) throw badRequest('An item cannot be related to itself.');
    this.byId.set(id, next);
    return next;
  }

  remove(id: number): JamaRelationship {
    const r = this.require(id);
    this.byId.delete(id);
    return r;
  }

  private checkType(id: number): void {
    if (!this.types.some((t) => t.id === id)) throw badRequest(`Relationship type ${id} does not exist.`);
  }
}

/** A link between two Jama items (`GET /relationships`). */
export interface JamaRelationship {
  id: number;
  fromItem: number;
  toItem: number;
  /** Relationship type id; `/relationshiptypes` names it. */
  relationshipType: number;
  /** Set by Jama when an upstream item changed after the link was made. */
  suspect?: boolean | undefined;
}

/** A relationship type (`GET /relationshiptypes`). */
export interface JamaRelationshipType {
  id: number;
  name: string;
  isDefault?: boolean | undefined;
}

/**
 * How a project's relationships are paged: Jama 9.6.2 and later require `lastId` (ids after the last
 * one seen); older versions page by `startAt` and ignore `lastId`.
 */
export type RelationshipPaging = 'lastId' | 'startAt';

/** Where the next page of a project's relationships starts. */
export interface RelationshipCursor {
  /** Last relationship id seen (`lastId` paging). @default 0 */
  lastId: number;
  /** Relationships seen so far (`startAt` paging). @default 0 */
  startAt: number;
  /** Known paging style of this Jama; undefined until the first pages told. */
  paging?: RelationshipPaging | undefined;
}

/** One page of a project's relationships and the cursor after it. */
export interface RelationshipPage {
  data: JamaRelationship[];
  /** Absent when this was the last page. */
  next?: RelationshipCursor | undefined;
}

export type { JamaActivitySource } from '../ports/jama-api';

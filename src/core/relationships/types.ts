import type { CallOptions, JamaApi } from '../ports/jama-api';

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

/**
 * The relationship part of the Jama REST port; every call takes a slot from the environment's
 * shared limiter, like the rest of {@link JamaApi}.
 */
export interface RelationshipApi {
  /**
   * One page (50) of `GET /relationships?project=P`. Sends `lastId` (Jama 9.6.2+); when an older
   * Jama ignores it and answers the first page again, the same page is asked for by `startAt`
   * and the cursor remembers that style.
   */
  listRelationships(
    project: number,
    cursor: RelationshipCursor,
    options?: CallOptions,
  ): Promise<RelationshipPage>;
  /** `GET /relationships/{id}`. @throws {JamaNotFoundError} when it no longer exists. */
  getRelationship(id: number, options?: CallOptions): Promise<JamaRelationship>;
  /**
   * Every relationship type; read once and cached for the client's reference-data TTL. When the
   * cached list lacks one of `needed` (a type created since), it is read again — once per unknown id.
   */
  listRelationshipTypes(options?: CallOptions, needed?: readonly number[]): Promise<JamaRelationshipType[]>;
}

export type { JamaActivitySource } from '../ports/jama-api';

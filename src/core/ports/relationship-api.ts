import type {
  JamaRelationship,
  JamaRelationshipType,
  RelationshipCursor,
  RelationshipPage,
} from '../relationships/types';
import type { CallOptions } from './jama-api';

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

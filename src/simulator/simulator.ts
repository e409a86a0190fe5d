import type { CallRecord, SimulatorStats } from './call-log';
import type { ResolvedSimulatorOptions, SimulatorOptionsPatch } from './options';
import type { JamaRelationship, RelationshipPatch } from './relationships';
import type { JamaItem } from './types';

/** A running simulator of one Jama environment. */
export interface JamaSimulator {
  /** e.g. `http://127.0.0.1:41234`; the REST base is `${url}/rest/v1`, the token endpoint `${url}/rest/oauth/token`. */
  url: string;
  port: number;
  /** The options in force (a snapshot). */
  readonly options: Readonly<ResolvedSimulatorOptions>;
  /** Changes the limit, Retry-After, latency, foreign traffic or faults while running. */
  setOptions(patch: SimulatorOptionsPatch): void;
  /** Every /rest call answered so far, the token call, 429s, faults and foreign calls included. */
  calls(): CallRecord[];
  stats(): SimulatorStats;
  /** Clears the call log; the limit window is not reset (its calls still take capacity). */
  resetStats(): void;
  /** Live items (deleted ones excluded), deep copies, ascending by id. No HTTP, not rate limited. */
  items(): JamaItem[];
  getItem(id: number): JamaItem | undefined;
  /** Merges `fields` (a value of `undefined` removes the field); bumps the dates; an UPDATE activity. */
  updateItem(id: number, fields: Record<string, unknown>): JamaItem;
  /** A DELETE activity. */
  deleteItem(id: number): void;
  /** Creates an item at the project root; a CREATE activity. */
  createItem(input: { project: number; itemType: number; fields: Record<string, unknown> }): JamaItem;
  /** Live relationships, ascending by id. No HTTP, not rate limited. */
  relationships(): JamaRelationship[];
  /** Links two items (type defaults to Jama's default type); a RELATIONSHIP CREATE activity. */
  link(fromItem: number, toItem: number, relationshipType?: number): JamaRelationship;
  /** Changes a relationship's ends, type or suspect flag; a RELATIONSHIP UPDATE activity. */
  relink(id: number, patch: RelationshipPatch): JamaRelationship;
  /** Removes a relationship; a RELATIONSHIP DELETE activity. */
  unlink(id: number): void;
  /**
   * Serves the item with these top-level properties replaced as they are (`null` included), as a
   * Jama with a damaged record does; filters and sorting keep using its real dates.
   */
  damageItem(id: number, props: Record<string, unknown>): void;
  close(): Promise<void>;
}

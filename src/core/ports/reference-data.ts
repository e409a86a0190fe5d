import type { JamaItemType, JamaProject } from '../jama-types';
import type { CachedList, JamaPickListOption, JamaUser } from '../reference/model';

/**
 * Reads reference data from Jama, uncached: every call takes a limiter slot like any other. The
 * Jama client is the one adapter (`src/adapters/jama/reference-reader.ts`).
 */
export interface ReferenceReader {
  /** `GET /itemtypes`, every page: each type with its `fields` (name, label, fieldType, pickList). */
  itemTypes(): Promise<JamaItemType[]>;
  /** `GET /picklists/{id}/options`, every page. */
  pickListOptions(pickList: number): Promise<JamaPickListOption[]>;
  /** `GET /users`, every page. */
  users(): Promise<JamaUser[]>;
  /** `GET /users/current`: the user the integration acts as. */
  currentUser(): Promise<JamaUser>;
  /** `GET /projects`, every page. */
  projects(): Promise<JamaProject[]>;
}

/**
 * Where reference lists are shared between every Lambda of a deployment (the state table, keys
 * `ref#<env>`, one item per environment). A read that fails is treated as a miss; a write that fails is not fatal.
 */
export interface ReferenceStore {
  get(env: string, list: string): Promise<CachedList | undefined>;
  /** Keeps `value` until `expiresAt` (epoch ms). */
  put(env: string, list: string, value: CachedList, expiresAt: number): Promise<void>;
}

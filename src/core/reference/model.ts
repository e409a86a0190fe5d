import type { JamaItemType, JamaProject } from '../jama-types';

/** A pick-list option (`GET /picklists/{id}/options`): items hold its `id`, people read its `name`. */
export interface JamaPickListOption {
  id: number;
  name: string;
  value?: string;
  active?: boolean;
  default?: boolean;
  sortOrder?: number;
  pickList?: number;
  [key: string]: unknown;
}

/** A user (`GET /users`, `GET /users/current`); `createdBy`, `modifiedBy` and user fields hold its `id`. */
export interface JamaUser {
  id: number;
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  active?: boolean;
  [key: string]: unknown;
}

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

/** One cached list as the shared store keeps it. */
export interface CachedList {
  /** When Jama was read (epoch ms). */
  fetchedAt: number;
  entries: unknown[];
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

/** A user as people read it: "First Last", else the username. */
export function displayName(user: JamaUser): string {
  const name = [user.firstName, user.lastName].filter((part) => part?.trim()).join(' ');
  return name || user.username;
}

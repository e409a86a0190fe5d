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

/** One cached list as the shared store keeps it. */
export interface CachedList {
  /** When Jama was read (epoch ms). */
  fetchedAt: number;
  entries: unknown[];
}

/** A user as people read it: "First Last", else the username. */
export function displayName(user: JamaUser): string {
  const name = [user.firstName, user.lastName].filter((part) => part?.trim()).join(' ');
  return name || user.username;
}

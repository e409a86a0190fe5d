import { SEED_USER_IDS } from './data';
import type { JamaUser } from './types';

/** An OAuth client registered in the environment (Jama: Profile → Set API Credentials). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** A Jama user with a password, for HTTP Basic. */
export interface UserCredentials {
  username: string;
  password: string;
}

/** Users behind OAuth clients get ids from here (see `Authenticator`). */
export const CLIENT_USER_BASE = 50;
/** Basic-auth users get ids from here: the first is the first seeded editor. */
export const BASIC_USER_BASE = 10;

const PEOPLE: readonly [first: string, last: string][] = [
  ['Ada', 'Admin'],
  ['Grace', 'Hopper'],
  ['Alan', 'Turing'],
  ['Edsger', 'Dijkstra'],
  ['Barbara', 'Liskov'],
];

function user(id: number, username: string, firstName: string, lastName: string): JamaUser {
  return {
    id,
    username,
    firstName,
    lastName,
    email: `${username}@example.com`,
    phone: '',
    title: '',
    location: '',
    licenseType: 'NAMED',
    avatarUrl: `https://jama.local/img/avatar/${id}.png`,
    active: true,
    type: 'users',
  };
}

/**
 * The environment's users, as `GET /users` lists them: the seeded editors (ids 10…14; the Basic
 * users share their ids, the first Basic user being `admin` by default) and one integration user
 * per OAuth client (ids 50…): Jama acts as the user who created the API credentials.
 */
export function usersFor(
  clients: readonly ClientCredentials[],
  basic: readonly UserCredentials[],
): JamaUser[] {
  const people = SEED_USER_IDS.map((id, i) => {
    const [first, last] = PEOPLE[i % PEOPLE.length] as [string, string];
    const username = basic[i]?.username ?? `${first}.${last}`.toLowerCase();
    return user(id, username, first, last);
  });
  const extraBasic = basic
    .slice(SEED_USER_IDS.length)
    .map((b, i) => user(BASIC_USER_BASE + SEED_USER_IDS.length + i, b.username, b.username, 'User'));
  const integrations = clients.map((c, i) =>
    user(CLIENT_USER_BASE + i, c.clientId, 'Integration', c.clientId),
  );
  return [...people, ...extraBasic, ...integrations];
}

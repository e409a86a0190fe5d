import { randomBytes } from 'node:crypto';
import { SimulatedJamaError } from './http-error';
import { BASIC_USER_BASE, CLIENT_USER_BASE, type ClientCredentials, type UserCredentials } from './users';

export type { ClientCredentials, UserCredentials } from './users';

/** The answer of `POST /rest/oauth/token`, in Jama's (Spring OAuth's) shape. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
  application_data: { JAMA_CORE: string };
  tenant: string;
  jti: string;
}

/** What Jama requires of an API user; every 401 says it, so the fix is obvious. */
export const LICENCE_REQUIREMENT =
  'REST API access requires a Named Creator licence (Creator Float users have no API access) and the REST API enabled for the organisation.';

const unauthorized = (reason: string) =>
  new SimulatedJamaError(401, `${reason} ${LICENCE_REQUIREMENT}`, {
    'WWW-Authenticate': 'Bearer realm="jama"',
  });

function basicPair(header: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * Issues OAuth client-credentials tokens and authenticates REST calls by bearer token or by
 * Basic username:password. Tokens expire after `ttlSeconds`.
 */
export class Authenticator {
  private readonly tokens = new Map<string, { user: number; expiresAt: number }>();

  constructor(
    private readonly clients: readonly ClientCredentials[],
    private readonly users: readonly UserCredentials[],
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Checks a token request (`Authorization: Basic client_id:client_secret`, form
   * `grant_type=client_credentials`) and returns the client's user id; 401 or 400 otherwise.
   */
  checkTokenRequest(authorization: string | undefined, form: URLSearchParams): number {
    const pair = basicPair(authorization);
    if (!pair) throw unauthorized('Authentication required: send the client id and secret with HTTP Basic.');
    const index = this.clients.findIndex((c) => c.clientId === pair[0] && c.clientSecret === pair[1]);
    if (index < 0) throw unauthorized('Authentication failed: unknown client id or wrong client secret.');
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      throw new SimulatedJamaError(
        400,
        `Unsupported grant_type '${grant ?? ''}': use grant_type=client_credentials.`,
      );
    }
    return CLIENT_USER_BASE + index;
  }

  /** Issues a token for a user id returned by {@link checkTokenRequest}. */
  issue(user: number, now: number): TokenResponse {
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { user, expiresAt: now + this.ttlSeconds * 1000 });
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.ttlSeconds,
      scope: 'read write',
      application_data: { JAMA_CORE: 'Jama Connect' },
      tenant: 'default',
      jti: randomBytes(8).toString('hex'),
    };
  }

  /** The user id a REST call acts as; 401 for missing, wrong or expired credentials. */
  authenticate(authorization: string | undefined, now: number): number {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer !== undefined) {
      const entry = this.tokens.get(bearer);
      if (!entry) throw unauthorized('Authentication failed: unknown access token.');
      if (entry.expiresAt <= now) {
        throw unauthorized('Authentication failed: the access token has expired; request a new one.');
      }
      return entry.user;
    }
    const pair = basicPair(authorization);
    if (!pair) {
      throw unauthorized(
        'Authentication required: send `Authorization: Bearer <token>` or Basic credentials.',
      );
    }
    const index = this.users.findIndex((u) => u.username === pair[0] && u.password === pair[1]);
    if (index < 0) throw unauthorized('Authentication failed: wrong username or password.');
    return BASIC_USER_BASE + index;
  }
}

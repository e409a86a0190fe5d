import type { Clock } from '../../core/clock';
import type { JamaAuthKind } from '../../core/jama-errors';
import type { CallOptions } from '../../core/ports/jama-api';
import type { JamaCredentials } from './options';
import { parseBody, tokenSchema } from './schemas';
import { raceSignal } from './single-flight';
import type { JamaTransport } from './transport';

/** Supplies the `Authorization` header of REST calls. */
export interface Authenticator {
  readonly kind: JamaAuthKind;
  authorization(options: CallOptions): Promise<string>;
  /** A REST call answered 401 with `authorization`: forget it. True when a fresh one may work. */
  rejected(authorization: string): boolean;
}

const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/** Basic auth: the same header every time; a 401 is final. Does not work under SAML/SSO. */
export class BasicAuthenticator implements Authenticator {
  readonly kind = 'basic' as const;
  private readonly header: string;

  constructor(credentials: { username: string; password: string }) {
    this.header = basic(credentials.username, credentials.password);
  }

  async authorization(): Promise<string> {
    return this.header;
  }

  rejected(): boolean {
    return false;
  }
}

/** When a token lives less than twice the margin, refresh it at half its life instead. */
const refreshDelay = (lifetimeMs: number, marginMs: number) =>
  Math.max(lifetimeMs - marginMs, lifetimeMs / 2);
/** Jama's tokens live 3599 s; a server that omits `expires_in` gets a conservative guess. */
const ASSUMED_LIFETIME_MS = 300_000;

/**
 * OAuth 2 client credentials (`POST /rest/oauth/token`). The token is cached and refreshed
 * `refreshMarginMs` before it expires; concurrent callers share one refresh. The token request is
 * an API call like any other: it takes a limiter slot through the transport.
 */
export class OAuthAuthenticator implements Authenticator {
  readonly kind = 'oauth' as const;
  private token: { value: string; refreshAt: number } | undefined;
  private refreshing: Promise<string> | undefined;
  private readonly clientHeader: string;

  constructor(
    credentials: { clientId: string; clientSecret: string },
    private readonly transport: JamaTransport,
    private readonly tokenPath: string,
    private readonly clock: Clock,
    private readonly refreshMarginMs: number,
  ) {
    this.clientHeader = basic(credentials.clientId, credentials.clientSecret);
  }

  async authorization(options: CallOptions): Promise<string> {
    if (this.token !== undefined && this.clock.now() < this.token.refreshAt)
      return `Bearer ${this.token.value}`;
    if (this.refreshing === undefined) {
      // Shared by every waiting caller, so it must not die with one caller's signal.
      const refreshing = this.fetchToken(options.maxWaitMs);
      this.refreshing = refreshing;
      const done = () => {
        if (this.refreshing === refreshing) this.refreshing = undefined;
      };
      refreshing.then(done, done);
    }
    return `Bearer ${await raceSignal(this.refreshing, options.signal)}`;
  }

  rejected(authorization: string): boolean {
    if (this.token !== undefined && authorization === `Bearer ${this.token.value}`) this.token = undefined;
    return true;
  }

  private async fetchToken(maxWaitMs: number | undefined): Promise<string> {
    const requestedAt = this.clock.now();
    const context = { method: 'POST', path: this.tokenPath };
    const response = await this.transport.send(
      {
        method: 'POST',
        path: this.tokenPath,
        token: true,
        headers: { authorization: this.clientHeader, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      },
      maxWaitMs === undefined ? {} : { maxWaitMs },
    );
    const token = parseBody(tokenSchema, response.body, context);
    const lifetimeMs = token.expires_in === undefined ? ASSUMED_LIFETIME_MS : token.expires_in * 1000;
    this.token = {
      value: token.access_token,
      refreshAt: requestedAt + refreshDelay(lifetimeMs, this.refreshMarginMs),
    };
    return token.access_token;
  }
}

/** Builds the authenticator for `credentials`. */
export function createAuthenticator(
  credentials: JamaCredentials,
  transport: JamaTransport,
  tokenPath: string,
  clock: Clock,
  refreshMarginMs: number,
): Authenticator {
  return credentials.type === 'basic'
    ? new BasicAuthenticator(credentials)
    : new OAuthAuthenticator(credentials, transport, tokenPath, clock, refreshMarginMs);
}

import type { CircuitBreaker } from '../../core/circuit-breaker';
import { type Clock, systemClock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import type { RateLimiter } from '../../core/ports/rate-limiter';

/** How the client authenticates. OAuth client credentials are preferred; basic auth fails under SAML/SSO. */
export type JamaCredentials =
  | { type: 'oauth'; clientId: string; clientSecret: string }
  | { type: 'basic'; username: string; password: string };

/** Options of {@link JamaClient}. Every number is validated up front. */
export interface JamaClientOptions {
  /**
   * Jama's base URL: `https://tenant.jamacloud.com`, optionally with `/rest/v1` and a trailing
   * slash; self-hosted Jama may sit under a path (`https://host/jama`). No credentials in it.
   */
  url: string;
  credentials: JamaCredentials;
  /** The shared limiter every request (token requests included) takes a slot from. */
  limiter: RateLimiter;
  /** Drives token expiry, reference-data TTLs and Retry-After dates. @default systemClock */
  clock?: Clock;
  /** Keep-alive connections to Jama; 10 calls/s at Jama's latency rarely needs more. @default 10 */
  connections?: number;
  /** Overall limit for one request, from sending it to the end of the body (AbortSignal). @default 30000 */
  timeoutMs?: number;
  /** Limit for the response headers to arrive (undici `headersTimeout`). @default 20000 */
  headersTimeoutMs?: number;
  /** Limit between chunks of the response body (undici `bodyTimeout`). @default 20000 */
  bodyTimeoutMs?: number;
  /** Limit for establishing a connection (undici `connectTimeout`). @default 10000 */
  connectTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open (undici `keepAliveTimeout`). @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Refresh an OAuth token this long before it expires. @default 60000 */
  tokenRefreshMarginMs?: number;
  /** How long projects and item types are cached; 0 disables the cache. @default 900000 (15 min) */
  referenceDataTtlMs?: number;
  /** Default longest wait for a limiter slot; unset leaves it to the limiter. @default undefined */
  maxWaitMs?: number;
  /** `User-Agent` header. @default 'jama-sync' */
  userAgent?: string;
  /** The environment's name, on each call published for counting (transport.ts). @default 'default' */
  environment?: string;
  /** The environment's circuit breaker: calls wait while Jama is down. @default undefined (none) */
  breaker?: CircuitBreaker;
}

/** Where Jama lives, derived from {@link JamaClientOptions.url}. */
export interface JamaUrls {
  /** `http(s)://host[:port]` for the connection pool. */
  origin: string;
  /** `/rest/v1` under any path prefix, e.g. `/jama/rest/v1`. */
  restPath: string;
  /** `/rest/oauth/token` under any path prefix. */
  tokenPath: string;
  /** The normalised base URL, for messages. */
  display: string;
}

/** {@link JamaClientOptions} with defaults applied and the URL normalised. */
export type ResolvedJamaClientOptions = Required<Omit<JamaClientOptions, 'maxWaitMs' | 'breaker'>> & {
  maxWaitMs?: number;
  breaker?: CircuitBreaker;
  urls: JamaUrls;
};

/** The defaults of {@link JamaClientOptions}, in one place. */
export const JAMA_CLIENT_DEFAULTS = {
  connections: 10,
  timeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  bodyTimeoutMs: 20_000,
  connectTimeoutMs: 10_000,
  keepAliveTimeoutMs: 4_000,
  tokenRefreshMarginMs: 60_000,
  referenceDataTtlMs: 900_000,
  userAgent: 'jama-sync',
  environment: 'default',
} as const;

const show = (value: unknown) => (typeof value === 'string' ? value : String(value));

/**
 * Normalises a Jama base URL (`https://tenant.jamacloud.com`, `…/rest/v1`, `…/rest/v1/`).
 * @throws {ConfigError} for anything that is not an http(s) URL, or that carries credentials.
 */
export function normaliseJamaUrl(input: string): JamaUrls {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    // Never echo what might be a URL with a password in it.
    const safe = input.replace(/\/\/[^/@]*@/, '//***@');
    throw new ConfigError(
      `Expected \`url\` to be Jama's base URL like https://tenant.jamacloud.com, got \`${safe}\``,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`Expected \`url\` to start with https:// (or http://), got \`${url.protocol}\``);
  }
  if (url.username || url.password) {
    throw new ConfigError('Expected `url` without credentials in it; pass them as `credentials` instead');
  }
  if (url.search || url.hash) {
    throw new ConfigError(
      `Expected \`url\` without a query or fragment, got \`${url.origin}${url.pathname}…\``,
    );
  }
  const prefix = url.pathname
    .replace(/\/+$/, '')
    .replace(/\/rest\/(v1|latest)$/i, '')
    .replace(/\/+$/, '');
  return {
    origin: url.origin,
    restPath: `${prefix}/rest/v1`,
    tokenPath: `${prefix}/rest/oauth/token`,
    display: `${url.origin}${prefix}`,
  };
}

type Check = [
  name: keyof JamaClientOptions,
  value: unknown,
  test: (n: number) => boolean,
  expectation: string,
];

/**
 * Applies defaults and validates every option, throwing one {@link ConfigError} that lists each
 * problem (``Expected `timeoutMs` to be a number > 0, got `0` ``).
 */
export function resolveJamaClientOptions(options: JamaClientOptions): ResolvedJamaClientOptions {
  const problems: string[] = [];
  let urls: JamaUrls | undefined;
  if (typeof options.url !== 'string' || options.url.trim() === '') {
    problems.push(
      `Expected \`url\` to be Jama's base URL like https://tenant.jamacloud.com, got \`${show(options.url)}\``,
    );
  } else {
    try {
      urls = normaliseJamaUrl(options.url);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  problems.push(...credentialProblems(options.credentials));
  const limiter = options.limiter as Partial<RateLimiter> | undefined;
  if (typeof limiter?.acquire !== 'function' || typeof limiter.onThrottled !== 'function') {
    problems.push('Expected `limiter` to be a RateLimiter (with `acquire` and `onThrottled`)');
  }
  const d = JAMA_CLIENT_DEFAULTS;
  const positive = (n: number) => n > 0 && n < Number.POSITIVE_INFINITY;
  const checks: Check[] = [
    [
      'connections',
      options.connections ?? d.connections,
      (n) => Number.isInteger(n) && n >= 1,
      'an integer ≥ 1',
    ],
    ['timeoutMs', options.timeoutMs ?? d.timeoutMs, positive, 'a number > 0'],
    ['headersTimeoutMs', options.headersTimeoutMs ?? d.headersTimeoutMs, positive, 'a number > 0'],
    ['bodyTimeoutMs', options.bodyTimeoutMs ?? d.bodyTimeoutMs, positive, 'a number > 0'],
    ['connectTimeoutMs', options.connectTimeoutMs ?? d.connectTimeoutMs, positive, 'a number > 0'],
    ['keepAliveTimeoutMs', options.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs, positive, 'a number > 0'],
    [
      'tokenRefreshMarginMs',
      options.tokenRefreshMarginMs ?? d.tokenRefreshMarginMs,
      (n) => n >= 0,
      'a number ≥ 0',
    ],
    ['referenceDataTtlMs', options.referenceDataTtlMs ?? d.referenceDataTtlMs, (n) => n >= 0, 'a number ≥ 0'],
  ];
  if (options.maxWaitMs !== undefined)
    checks.push(['maxWaitMs', options.maxWaitMs, (n) => n >= 0, 'a number ≥ 0']);
  for (const [name, value, test, expectation] of checks) {
    if (typeof value !== 'number' || Number.isNaN(value) || !test(value)) {
      problems.push(`Expected \`${name}\` to be ${expectation}, got \`${show(value)}\``);
    }
  }
  const userAgent = options.userAgent ?? d.userAgent;
  if (typeof userAgent !== 'string' || userAgent === '' || /[\r\n]/.test(userAgent)) {
    problems.push(`Expected \`userAgent\` to be a one-line string, got \`${show(userAgent)}\``);
  }
  if (problems.length > 0 || urls === undefined) throw new ConfigError(problems.join('; '));
  return {
    url: options.url,
    credentials: options.credentials,
    limiter: options.limiter,
    clock: options.clock ?? systemClock,
    connections: options.connections ?? d.connections,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? d.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? d.bodyTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs,
    tokenRefreshMarginMs: options.tokenRefreshMarginMs ?? d.tokenRefreshMarginMs,
    referenceDataTtlMs: options.referenceDataTtlMs ?? d.referenceDataTtlMs,
    userAgent,
    environment: options.environment ?? d.environment,
    ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
    ...(options.breaker === undefined ? {} : { breaker: options.breaker }),
    urls,
  };
}

/** Never echoes a credential value: only says which one is missing. */
function credentialProblems(credentials: JamaCredentials | undefined): string[] {
  const filled = (v: unknown) => typeof v === 'string' && v !== '';
  if (credentials?.type === 'oauth') {
    return [
      ...(filled(credentials.clientId) ? [] : ['Expected `credentials.clientId` to be a non-empty string']),
      ...(filled(credentials.clientSecret)
        ? []
        : ['Expected `credentials.clientSecret` to be a non-empty string']),
    ];
  }
  if (credentials?.type === 'basic') {
    return [
      ...(filled(credentials.username) ? [] : ['Expected `credentials.username` to be a non-empty string']),
      ...(filled(credentials.password) ? [] : ['Expected `credentials.password` to be a non-empty string']),
    ];
  }
  return [
    "Expected `credentials` to be { type: 'oauth', clientId, clientSecret } or { type: 'basic', username, password }",
  ];
}

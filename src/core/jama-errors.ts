import { type ErrorCode, JamaSyncError } from './errors';

/** Where a failed Jama request went. Never holds credentials or tokens. */
export interface JamaRequestContext {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Request path with its query string, e.g. `/rest/v1/items/12`. */
  path: string;
  /** HTTP status, when Jama answered at all. */
  status?: number | undefined;
  /** Jama's own error text (`meta.message`, or OAuth's `error_description`). */
  jamaMessage?: string | undefined;
  cause?: unknown;
}

/** Base of every error raised for one Jama request: carries `method`, `path` and `status`. */
export abstract class JamaRequestError extends JamaSyncError {
  readonly method: string;
  readonly path: string;
  readonly status?: number;

  protected constructor(code: ErrorCode, message: string, context: JamaRequestContext) {
    super(code, message, { cause: context.cause });
    this.method = context.method;
    this.path = context.path;
    if (context.status !== undefined) this.status = context.status;
  }
}

const where = (c: JamaRequestContext) => `${c.method} ${c.path}`;
const said = (c: JamaRequestContext) => (c.jamaMessage ? `: ${c.jamaMessage}` : '');

/**
 * Jama answered 429: the environment's 10 calls/s are used up (by us or another integration).
 * The client never retries it; the worker hands the job back to the queue.
 */
export class JamaRateLimitedError extends JamaRequestError {
  /** From `Retry-After` (seconds or HTTP-date), when Jama sent one. */
  readonly retryAfterMs?: number;

  constructor(context: JamaRequestContext & { retryAfterMs?: number | undefined }) {
    const after =
      context.retryAfterMs === undefined ? '' : `; Retry-After ${Math.ceil(context.retryAfterMs / 1000)} s`;
    super(
      'JAMA_RATE_LIMITED',
      `Jama rate limit reached (429) on ${where(context)}${after}. The 10 calls/s limit is shared by every integration of the environment`,
      { ...context, status: context.status ?? 429 },
    );
    if (context.retryAfterMs !== undefined) this.retryAfterMs = context.retryAfterMs;
  }
}

/** Which credentials were refused; changes what the message tells the operator to check. */
export type JamaAuthKind = 'oauth' | 'basic';

/** Jama refused the credentials (401) or the access (403). */
export class JamaAuthError extends JamaRequestError {
  constructor(context: JamaRequestContext & { auth?: JamaAuthKind }) {
    const check =
      context.auth === 'basic'
        ? 'Check the username and password (--username, --password-file; basic auth does not work when Jama signs in through SAML/SSO: use an OAuth client instead)'
        : 'Check the OAuth client id and secret (--client-id, --client-secret-file)';
    const jama = context.jamaMessage?.replace(/[.\s]+$/, '');
    // Said once: Jama's own text may already explain the licence.
    const licence = /licen[cs]e/i.test(jama ?? '')
      ? ''
      : ' REST access also needs a Named Creator licence for the API user (Creator Float users have no REST access) ' +
        "and the organisation's REST API access setting turned on by a Jama organisation admin.";
    super(
      'JAMA_AUTH',
      `Jama refused ${where(context)} (${context.status ?? 401})${jama ? `: ${jama}` : ''}. ${check} and the Jama URL (--jama-url).${licence}`,
      context,
    );
  }
}

/** Why a TLS handshake with Jama failed, and what to do about it. */
const TLS_ADVICE: Record<string, string> = {
  untrusted:
    'presents a certificate this machine does not trust (self-signed, or signed by a company CA). ' +
    'Save the CA certificate as a PEM file and start again with NODE_EXTRA_CA_CERTS=/path/to/ca.pem; never turn verification off',
  expired:
    "presents an expired (or not yet valid) certificate: ask Jama's administrator to renew it, or check this machine's clock",
  hostname:
    'presents a certificate for another host name: use the host name the certificate names in --jama-url',
  plain:
    'does not speak TLS there: the server answers plain HTTP. Use http://… in --jama-url, or the port that serves https',
};

/** The TLS handshake with Jama failed. Not retryable: it fails the same way until someone acts. */
export class JamaTlsError extends JamaRequestError {
  readonly tlsCode: string;

  constructor(
    context: JamaRequestContext & { baseUrl: string; tlsCode: string; kind: keyof typeof TLS_ADVICE },
  ) {
    super(
      'JAMA_TLS',
      `Jama at ${context.baseUrl} ${TLS_ADVICE[context.kind]} (${context.tlsCode} on ${where(context)}).`,
      context,
    );
    this.tlsCode = context.tlsCode;
  }
}

/** Jama answered 404: the item (or resource) does not exist, or was deleted. */
export class JamaNotFoundError extends JamaRequestError {
  constructor(context: JamaRequestContext) {
    super('JAMA_NOT_FOUND', `Jama found nothing at ${where(context)} (404)${said(context)}`, context);
  }
}

/** Jama rejected the request (a 4xx other than 401/403/404/429), or answered with an unusable body. */
export class JamaValidationError extends JamaRequestError {
  /** Jama's `meta.message`, when it sent one. */
  readonly jamaMessage?: string;

  constructor(context: JamaRequestContext & { detail?: string }) {
    const detail =
      context.detail ?? `Jama rejected ${where(context)} (${context.status ?? '?'})${said(context)}`;
    super('JAMA_VALIDATION', detail, context);
    if (context.jamaMessage !== undefined) this.jamaMessage = context.jamaMessage;
  }
}

/**
 * Jama answered 2xx but the body is not JSON: an HTML page from a proxy in front of Jama, or an
 * answer cut short. Real outages and maintenance windows look like this, so it is transient.
 */
export class JamaBadResponseError extends JamaRequestError {
  constructor(context: JamaRequestContext & { detail: string }) {
    super('JAMA_BAD_RESPONSE', context.detail, context);
  }
}

/** Jama failed (5xx). Retryable: the caller decides whether and when. */
export class JamaServerError extends JamaRequestError {
  constructor(context: JamaRequestContext) {
    super(
      'JAMA_SERVER',
      `Jama failed on ${where(context)} (${context.status ?? '5xx'})${said(context)}`,
      context,
    );
  }
}

/** The connection failed (refused, reset, DNS). Retryable; a write may or may not have been applied. */
export class JamaNetworkError extends JamaRequestError {
  /** The system or undici error code, e.g. `ECONNREFUSED`. */
  readonly networkCode?: string;

  constructor(context: JamaRequestContext & { baseUrl: string; networkCode?: string }) {
    const code = context.networkCode;
    const unreachable = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
    // An HTTP parser error on an http:// URL: most often a server that speaks https there.
    const tlsHint =
      code?.startsWith('HPE_') && context.baseUrl.startsWith('http:')
        ? ': the server did not answer HTTP; if it serves https, use https:// in --jama-url'
        : '';
    const message = unreachable
      ? `Cannot reach Jama at ${context.baseUrl}: check --jama-url (${code} on ${where(context)})`
      : `Connection to Jama at ${context.baseUrl} failed on ${where(context)}${code ? ` (${code})` : ''}${tlsHint}`;
    super('JAMA_NETWORK', message, context);
    if (code !== undefined) this.networkCode = code;
  }
}

/** No complete answer within the configured time. Retryable; a write may or may not have been applied. */
export class JamaTimeoutError extends JamaRequestError {
  constructor(context: JamaRequestContext & { timeoutMs?: number; phase?: string }) {
    const within = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs} ms`;
    const phase = context.phase ? ` (${context.phase})` : '';
    super('JAMA_TIMEOUT', `No answer from Jama${within} for ${where(context)}${phase}`, context);
  }
}

/** A Jama date string could not be parsed, or an epoch value cannot be written as one. */
export class JamaDateError extends JamaSyncError {
  constructor(message: string) {
    super('JAMA_VALIDATION', message);
  }
}

/** A call on a Jama client after `close()` (the container is shutting down); another worker takes the job. */
export class JamaClientClosedError extends JamaSyncError {
  constructor() {
    super('JAMA_CLIENT_CLOSED', 'JamaClient is closed');
  }
}

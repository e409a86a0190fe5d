import type { IncomingHttpHeaders } from 'node:http';
import {
  JamaAuthError,
  type JamaAuthKind,
  JamaNetworkError,
  JamaNotFoundError,
  type JamaRequestContext,
  type JamaRequestError,
  JamaServerError,
  JamaTimeoutError,
  JamaTlsError,
  JamaValidationError,
} from '../../core/jama-errors';

const MAX_MESSAGE_LENGTH = 500;

/**
 * Jama's error text: `meta.message` of its envelope, or OAuth's `error_description` / `error`.
 * Known secrets are masked, in case a server ever echoes them.
 */
export function jamaMessage(body: unknown, secrets: readonly string[] = []): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const meta = record.meta as Record<string, unknown> | undefined;
  const candidates = [meta?.message, record.error_description, record.message, record.error];
  const text = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  return text === undefined ? undefined : redact(text.trim().slice(0, MAX_MESSAGE_LENGTH), secrets);
}

/** Replaces every occurrence of a secret with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delay-seconds or an HTTP-date. An HTTP-date is the
 * IMF-fixdate that `Date.prototype.toUTCString` writes, which `Date.parse` is specified to read.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The typed error for a non-2xx, non-429 answer. `token` marks the OAuth token request, where a
 * 400 (`invalid_client`, `unauthorized_client`) is a credentials problem too.
 */
export function errorForStatus(
  status: number,
  headers: IncomingHttpHeaders,
  context: JamaRequestContext,
  auth: JamaAuthKind,
  token: boolean,
): JamaRequestError {
  if (status === 401 || status === 403 || (token && status === 400))
    return new JamaAuthError({ ...context, auth });
  if (status === 404) return new JamaNotFoundError(context);
  if (status === 408) return new JamaTimeoutError({ ...context, phase: 'Jama answered 408 Request Timeout' });
  if (status >= 500) return new JamaServerError(context);
  if (status >= 300 && status < 400) {
    const location = typeof headers.location === 'string' ? ` to ${headers.location.split('?')[0]}` : '';
    return new JamaValidationError({
      ...context,
      detail:
        `Jama redirected ${context.method} ${context.path} (${status})${location}: check --jama-url ` +
        "(the tenant's https base URL, e.g. https://tenant.jamacloud.com)",
    });
  }
  return new JamaValidationError(context);
}

const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting',
  UND_ERR_HEADERS_TIMEOUT: 'waiting for headers',
  UND_ERR_BODY_TIMEOUT: 'reading the body',
  ETIMEDOUT: 'connecting',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_INFO',
  'HPE_INVALID_CONSTANT',
]);

/** OpenSSL and Node TLS codes, by what the operator can do about them. */
const TLS_CODES: Record<string, 'untrusted' | 'expired' | 'hostname' | 'plain'> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname',
  ERR_SSL_WRONG_VERSION_NUMBER: 'plain',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'plain',
};

function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, errors, cause } = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError holding one error per address.
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  return cause === undefined ? undefined : errorCode(cause);
}

/**
 * Maps an error thrown while sending or reading (not an HTTP status) to {@link JamaTimeoutError}
 * or {@link JamaNetworkError}; anything else is returned unchanged (a bug, not Jama's doing).
 */
export function errorForFailure(
  error: unknown,
  context: JamaRequestContext,
  baseUrl: string,
  timeouts: { headersTimeoutMs: number; bodyTimeoutMs: number; connectTimeoutMs: number },
): unknown {
  const code = errorCode(error);
  if (code === undefined) return error;
  const tls = TLS_CODES[code];
  if (tls !== undefined)
    return new JamaTlsError({ ...context, baseUrl, tlsCode: code, kind: tls, cause: error });
  const phase = TIMEOUT_CODES[code];
  if (phase !== undefined) {
    const timeoutMs =
      code === 'UND_ERR_HEADERS_TIMEOUT'
        ? timeouts.headersTimeoutMs
        : code === 'UND_ERR_BODY_TIMEOUT'
          ? timeouts.bodyTimeoutMs
          : timeouts.connectTimeoutMs;
    return new JamaTimeoutError({ ...context, timeoutMs, phase, cause: error });
  }
  if (NETWORK_CODES.has(code) || code.startsWith('HPE_') || /^E[A-Z]+$/.test(code)) {
    return new JamaNetworkError({ ...context, baseUrl, networkCode: code, cause: error });
  }
  return error;
}

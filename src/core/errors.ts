/**
 * The one registry of error codes: every error jama-sync raises is a {@link JamaSyncError}
 * subclass with one of these stable codes (as undici does), and whether retrying the same
 * operation can help comes from here. Errors are turned into HTTP answers (the webhook's
 * `WEBHOOK_STATUS`) or exit codes only at the edges.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false },
  JAMA_RATE_LIMITED: { retryable: true },
  JAMA_AUTH: { retryable: false },
  JAMA_NOT_FOUND: { retryable: false },
  JAMA_VALIDATION: { retryable: false },
  JAMA_SERVER: { retryable: true },
  JAMA_NETWORK: { retryable: true },
  /** The TLS handshake failed: an untrusted certificate, or a scheme that does not match the server. */
  JAMA_TLS: { retryable: false },
  JAMA_TIMEOUT: { retryable: true },
  /** Jama answered 2xx with a body that is not JSON (an HTML error page, a truncated answer): transient. */
  JAMA_BAD_RESPONSE: { retryable: true },
  /** The environment's circuit breaker is open: Jama is down, calls wait for the probe. */
  JAMA_UNAVAILABLE: { retryable: true },
  /** The Jama client was closed (the container is shutting down): another one takes the job. */
  JAMA_CLIENT_CLOSED: { retryable: true },
  LIMITER_WAIT: { retryable: true },
  JOB_INVALID: { retryable: false },
  /** A sink (the forward endpoint, EventBridge) did not take a write; it may later. */
  SINK_FAILED: { retryable: true },
  /** DynamoDB or SQS took part of a batch, or left a conditional write undone; the rest is retried. */
  STORE_FAILED: { retryable: true },
  /** Work that was not done because the invocation had to stop (its deadline); it runs again. */
  STOPPED: { retryable: true },
  /** One or more projects of a reconciliation did not start; invoking again starts them. */
  RECONCILE_NOT_STARTED: { retryable: true },
  USAGE: { retryable: false },
  /** An operator command's target (a local process, a stack, one of its outputs) is not there. */
  TARGET_NOT_FOUND: { retryable: false },
  /** AWS refused or could not be reached: credentials, region, permissions, network. */
  AWS_ACCESS: { retryable: false },
  /** The target was reached but the operation failed there (e.g. the reconcile function threw). */
  OPERATION_FAILED: { retryable: false },
  /** Webhook codes: each answers with its own HTTP status (`WEBHOOK_STATUS`, at the webhook edge). */
  WEBHOOK_NOT_FOUND: { retryable: false },
  WEBHOOK_METHOD: { retryable: false },
  WEBHOOK_UNKNOWN_SOURCE: { retryable: false },
  WEBHOOK_TOO_LARGE: { retryable: false },
  WEBHOOK_SIGNATURE: { retryable: false },
  WEBHOOK_BODY_INVALID: { retryable: false },
  WEBHOOK_SCHEMA: { retryable: false },
  WEBHOOK_REPLAY: { retryable: false },
  /** Nothing was durably queued: the sender should try again. */
  WEBHOOK_UNAVAILABLE: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;

/** A stable error code (a key of {@link ERROR_CODES}). */
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorOptions {
  cause?: unknown;
}

/** Base of every error jama-sync raises on purpose; `retryable` comes from {@link ERROR_CODES}. */
export abstract class JamaSyncError extends Error {
  readonly code: ErrorCode;
  /** Whether the same operation may succeed later. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = ERROR_CODES[code].retryable;
  }
}

/** A user-supplied option or environment variable is missing or invalid. */
export class ConfigError extends JamaSyncError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** A command line was wrong; the message says what to type instead. */
export class UsageError extends JamaSyncError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A job or operator request that can never succeed as given (bad shape, unknown environment). */
export class JobInvalidError extends JamaSyncError {
  constructor(message: string) {
    super('JOB_INVALID', message);
  }
}

/** A sink did not take a write (the forward endpoint answered an error or could not be reached). */
export class SinkError extends JamaSyncError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('SINK_FAILED', message, options);
  }
}

/** DynamoDB or SQS refused part of a write; the operation is retried as a whole. */
export class StoreError extends JamaSyncError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('STORE_FAILED', message, options);
  }
}

/** Work left undone because the invocation had to stop; it runs again with the next delivery. */
export class StoppedError extends JamaSyncError {
  constructor(message: string) {
    super('STOPPED', message);
  }
}

/** True for errors raised by jama-sync itself (as opposed to bugs or foreign exceptions). */
export function isJamaSyncError(error: unknown): error is JamaSyncError {
  return error instanceof JamaSyncError;
}

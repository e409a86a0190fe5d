/**
 * Every error jama-sync raises carries a stable `code` (as undici does), whether retrying can help,
 * and the underlying `cause`. Errors are turned into HTTP answers or exit codes only at the edges.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'JAMA_RATE_LIMITED'
  | 'JAMA_AUTH'
  | 'JAMA_NOT_FOUND'
  | 'JAMA_VALIDATION'
  | 'JAMA_SERVER'
  | 'JAMA_NETWORK'
  /** The TLS handshake failed: an untrusted certificate, or a scheme that does not match the server. */
  | 'JAMA_TLS'
  | 'JAMA_TIMEOUT'
  /** Jama answered 2xx with a body that is not JSON (an HTML error page, a truncated answer): transient. */
  | 'JAMA_BAD_RESPONSE'
  /** The environment's circuit breaker is open: Jama is down, calls wait for the probe. */
  | 'JAMA_UNAVAILABLE'
  | 'LIMITER_WAIT'
  | 'JOB_INVALID'
  | 'SINK_FAILED'
  | 'USAGE'
  /** An operator command's target (a local process, a stack, one of its outputs) is not there. */
  | 'TARGET_NOT_FOUND'
  /** AWS refused or could not be reached: credentials, region, permissions, network. */
  | 'AWS_ACCESS'
  /** The target was reached but the operation failed there (e.g. the reconcile function threw). */
  | 'OPERATION_FAILED';

export interface ErrorOptions {
  /** Whether the same operation may succeed later. */
  retryable?: boolean;
  cause?: unknown;
}

/** Base of every error jama-sync raises on purpose. */
export class JamaSyncError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
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

/** True for errors raised by jama-sync itself (as opposed to bugs or foreign exceptions). */
export function isJamaSyncError(error: unknown): error is JamaSyncError {
  return error instanceof JamaSyncError;
}

/**
 * Stable codes of the webhook edge, each with the HTTP status it answers. A sender's mistake is
 * always a 4xx; only `WEBHOOK_UNAVAILABLE` (nothing was durably queued — try again) is a 5xx.
 */
export const WEBHOOK_STATUS = {
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_METHOD: 405,
  WEBHOOK_UNKNOWN_SOURCE: 404,
  WEBHOOK_TOO_LARGE: 413,
  WEBHOOK_SIGNATURE: 401,
  WEBHOOK_BODY_INVALID: 400,
  WEBHOOK_SCHEMA: 400,
  WEBHOOK_REPLAY: 409,
  WEBHOOK_UNAVAILABLE: 503,
} as const;

export type WebhookErrorCode = keyof typeof WEBHOOK_STATUS;

/**
 * An error the webhook answers with its own status and a message safe to show the sender (it
 * never contains a secret or a signature). Only `WEBHOOK_UNAVAILABLE` is retryable.
 */
export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly status: number;
  readonly retryable: boolean;

  constructor(code: WebhookErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebhookError';
    this.code = code;
    this.status = WEBHOOK_STATUS[code];
    this.retryable = code === 'WEBHOOK_UNAVAILABLE';
  }
}

/** True for errors the webhook answers with their own status. */
export function isWebhookError(error: unknown): error is WebhookError {
  return error instanceof WebhookError;
}

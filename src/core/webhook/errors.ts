import { type ErrorCode, JamaSyncError } from '../errors';

/** The webhook's codes (in the one registry, `ERROR_CODES`). */
export type WebhookErrorCode = Extract<ErrorCode, `WEBHOOK_${string}`>;

/**
 * The HTTP status each webhook code answers with: the webhook edge's mapping, and the only one.
 * A sender's mistake is always a 4xx; only `WEBHOOK_UNAVAILABLE` (nothing was durably queued —
 * try again) is a 5xx.
 */
export const WEBHOOK_STATUS: Readonly<Record<WebhookErrorCode, number>> = {
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_METHOD: 405,
  WEBHOOK_UNKNOWN_SOURCE: 404,
  WEBHOOK_TOO_LARGE: 413,
  WEBHOOK_SIGNATURE: 401,
  WEBHOOK_BODY_INVALID: 400,
  WEBHOOK_SCHEMA: 400,
  WEBHOOK_REPLAY: 409,
  WEBHOOK_UNAVAILABLE: 503,
};

/**
 * An error the webhook answers with its own status and a message safe to show the sender (it
 * never contains a secret or a signature). Only `WEBHOOK_UNAVAILABLE` is retryable.
 */
export class WebhookError extends JamaSyncError {
  declare readonly code: WebhookErrorCode;
  readonly status: number;

  constructor(code: WebhookErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.status = WEBHOOK_STATUS[code];
  }
}

/** True for errors the webhook answers with their own status. */
export function isWebhookError(error: unknown): error is WebhookError {
  return error instanceof WebhookError;
}

import { isWebhookError } from './errors';

/** A Function URL (API Gateway v2 payload) response, without importing Lambda types into the core. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The counts a 202 reports; `accepted = enqueued + coalesced + ignored`. */
export interface IngestCounts {
  /** Events in the request (after the mapping selected them). */
  accepted: number;
  /** Jobs durably queued. */
  enqueued: number;
  /** Events folded into a pull that is already queued (by this request or an earlier one). */
  coalesced: number;
  /** Events a mapping's `typeMap` dropped. */
  ignored: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** `202` with the counts: every job of the request is in the queue. */
export function acceptedResponse(counts: IngestCounts): HttpResponse {
  const { accepted, enqueued, coalesced, ignored } = counts;
  return {
    statusCode: 202,
    headers: JSON_HEADERS,
    body: JSON.stringify({ accepted, enqueued, coalesced, ignored }),
  };
}

/**
 * `{"error": {"code", "message"}}` with the error's status; anything that is not a
 * {@link WebhookError} is a bug on our side — a 500 that reveals nothing.
 */
export function errorResponse(error: unknown): HttpResponse {
  if (!isWebhookError(error)) {
    return {
      statusCode: 500,
      headers: JSON_HEADERS,
      body: JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } }),
    };
  }
  return {
    statusCode: error.status,
    headers: error.retryable ? { ...JSON_HEADERS, 'retry-after': '5' } : JSON_HEADERS,
    body: JSON.stringify({ error: { code: error.code, message: error.message } }),
  };
}

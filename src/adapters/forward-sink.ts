import { request } from 'undici';
import { type Clock, systemClock } from '../core/clock';
import { ConfigError, SinkError } from '../core/errors';
import type { Sink, SinkRecord, SinkWriteResult } from '../core/ports/sink';
import type {
  RelationshipRecord,
  RelationshipSink,
  RelationshipWriteResult,
} from '../core/relationships/records';
import { type RetryOptions, type RetrySchedule, retrySchedule } from '../core/retry';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../core/signature';

/** `attempts`: per batch before its records fail (and go back to the queue). @default 3 */
export interface ForwardSinkOptions extends RetryOptions {
  url: string;
  /** Shared secret for the HMAC-SHA256 signature; the receiver verifies it with the same secret. */
  secret: string;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number | undefined;
}

/**
 * HTTP forward sink: POSTs `{"env", "records": [...]}` (relationships: `{"env", "records": [],
 * "relationships": [...]}`) as JSON to a configured URL, signed with
 * `x-jama-sync-signature: sha256=HMAC(secret, "<timestamp>.<body>")` and `x-jama-sync-timestamp`
 * (epoch seconds). Retries 3xx (redirects are not followed: the signature is for this URL), 5xx,
 * 408, 429 and network errors with backoff; when it gives up, the batch's records fail — they go
 * back to the queue, retried within the outage budget — and other records of the batch are unaffected.
 * Receivers must be idempotent and order by `modifiedAt` / `deletedAt` (at-least-once delivery).
 * Item records carry `readable` names, `modifiedBy` and `bySync` (true when the integration's own
 * user made the last change — a write-back coming back, which a bidirectional relay drops).
 */
export class ForwardSink implements Sink, RelationshipSink {
  readonly name = 'forward';
  private readonly retry: RetrySchedule;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: ForwardSinkOptions) {
    if (!/^https?:\/\//.test(options.url)) {
      throw new ConfigError(`Expected \`forwardUrl\` to be an http(s) URL, got \`${options.url}\``);
    }
    this.retry = retrySchedule(options, 3);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
  }

  async write(env: string, records: SinkRecord[]): Promise<SinkWriteResult[]> {
    if (records.length === 0) return [];
    const error = await this.send(JSON.stringify({ env, records }));
    return records.map((r) =>
      error ? { itemId: r.itemId, status: 'failed', error } : { itemId: r.itemId, status: 'written' },
    );
  }

  /** Relationships go in the same envelope: `{"env", "records": [], "relationships": [...]}`. */
  async writeRelationships(
    env: string,
    relationships: RelationshipRecord[],
  ): Promise<RelationshipWriteResult[]> {
    if (relationships.length === 0) return [];
    const error = await this.send(JSON.stringify({ env, records: [], relationships }));
    return relationships.map((r) =>
      error
        ? { relationshipId: r.relationshipId, status: 'failed', error }
        : { relationshipId: r.relationshipId, status: 'written' },
    );
  }

  /** POSTs with retries; resolves to the last error when every attempt failed, else undefined. */
  private async send(body: string): Promise<Error | undefined> {
    let lastError: Error = new SinkError('not attempted');
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      await this.retry.pause(attempt);
      try {
        const status = await this.post(body);
        if (status >= 200 && status < 300) return undefined;
        lastError = new SinkError(`forward to ${this.options.url} answered HTTP ${status}`);
        // A redirect or 5xx is a receiver being moved or restarted: transient. Other 4xx will not pass by retrying now.
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) break;
      } catch (error) {
        lastError = new SinkError(`forward to ${this.options.url} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return lastError;
  }

  private async post(body: string): Promise<number> {
    const timestamp = Math.floor(this.clock.now() / 1000);
    const response = await request(this.options.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(this.options.secret, timestamp, body),
      },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    await response.body.dump();
    return response.statusCode;
  }
}

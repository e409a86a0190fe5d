import diagnostics from 'node:diagnostics_channel';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { OUTAGE_CODES } from '../../core/circuit-breaker';
import {
  type JamaAuthKind,
  JamaBadResponseError,
  JamaClientClosedError,
  JamaRateLimitedError,
  type JamaRequestContext,
  JamaRequestError,
  JamaTimeoutError,
} from '../../core/jama-errors';
import type { CallOptions } from '../../core/ports/jama-api';
import { errorForFailure, errorForStatus, jamaMessage, parseRetryAfter } from './http-errors';
import type { ResolvedJamaClientOptions } from './options';

/** The methods jama-sync uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One HTTP request, auth headers included. */
export interface TransportRequest {
  method: HttpMethod;
  /** Absolute path with query string, e.g. `/rest/v1/items?project=1`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The OAuth token request: a 400 there means bad credentials. */
  token?: boolean;
}

/** A 2xx answer. */
export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or `undefined` for an empty body. */
  body: unknown;
}

/** HTTP requests sent, by status (`error` for requests that got no answer). */
export interface JamaClientStats {
  calls: number;
  byStatus: Record<string, number>;
}

/** One request this process sent to a Jama environment, published on {@link JAMA_CALL_CHANNEL}. */
export interface JamaCallEvent {
  /** The environment's name (the client's `environment` option). */
  environment: string;
  /** When it left, after the limiter granted its slot (epoch ms). */
  sentAt: number;
  /** Jama's HTTP status, or `'error'` when no answer came. */
  status: number | 'error';
}

/**
 * Every Jama call is published here where it is made, so the local runtime counts calls, 429s and
 * the busiest second per environment with the same definition everywhere (progress, summary,
 * `status`, dashboard). Without a subscriber publishing costs nothing.
 */
export const JAMA_CALL_CHANNEL = 'jama-sync:jama-call';
const callChannel = diagnostics.channel(JAMA_CALL_CHANNEL);

/**
 * Sends one HTTP request to Jama: takes a limiter slot first, enforces the overall timeout, counts
 * the call, reports 429s to the limiter, and turns every failure into a typed Jama error.
 * It never retries.
 */
export class JamaTransport {
  private readonly pool: Pool;
  private readonly counts: JamaClientStats = { calls: 0, byStatus: {} };

  constructor(
    private readonly options: ResolvedJamaClientOptions,
    private readonly auth: JamaAuthKind,
    private readonly secrets: readonly string[],
  ) {
    this.pool = new Pool(options.urls.origin, {
      connections: options.connections,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
    });
  }

  stats(): JamaClientStats {
    return { calls: this.counts.calls, byStatus: { ...this.counts.byStatus } };
  }

  async close(): Promise<void> {
    if (!this.pool.closed) await this.pool.close();
  }

  async send(request: TransportRequest, options: CallOptions = {}): Promise<TransportResponse> {
    if (this.pool.closed) throw new JamaClientClosedError();
    const breaker = this.options.breaker;
    if (!breaker) return this.attempt(request, options);
    let response: TransportResponse;
    try {
      response = await this.attempt(request, options);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && OUTAGE_CODES.has(code)) await breaker.failed(error);
      // Any other answer from Jama (a 4xx, a 429) shows it is up; a limiter wait or an abort shows nothing.
      else if (error instanceof JamaRequestError && error.status !== undefined) await breaker.succeeded();
      throw error;
    }
    await breaker.succeeded();
    return response;
  }

  /** One request: a slot, the exchange, then Jama's answer or the typed error it means. */
  private async attempt(request: TransportRequest, options: CallOptions): Promise<TransportResponse> {
    await this.takeSlot(options);
    const sentAt = this.options.clock.now();
    const context: JamaRequestContext = { method: request.method, path: request.path };
    const { status, headers, text } = await this.exchange(request, options, context);
    const body = parseJson(text);
    if (status >= 200 && status < 300) {
      if (body === INVALID) {
        throw new JamaBadResponseError({
          ...context,
          status,
          detail: `Jama answered ${context.method} ${context.path} (${status}) with a body that is not JSON (${describe(headers)})`,
        });
      }
      return { status, headers, body };
    }
    const failed: JamaRequestContext = { ...context, status, jamaMessage: jamaMessage(body, this.secrets) };
    if (status === 429) throw await this.throttled(headers, failed, sentAt);
    throw errorForStatus(status, headers, failed, this.auth, request.token === true);
  }

  /** Waits for the breaker (while Jama is down everyone waits for its probe) and a limiter slot. */
  private async takeSlot(options: CallOptions): Promise<void> {
    await this.options.breaker?.before();
    await this.options.limiter.acquire({
      signal: options.signal,
      maxWaitMs: options.maxWaitMs ?? this.options.maxWaitMs,
      lane: options.lane,
    });
    options.signal?.throwIfAborted();
  }

  /** Sends the request and reads the whole answer, within the timeout and the caller's signal. */
  private async exchange(
    request: TransportRequest,
    options: CallOptions,
    context: JamaRequestContext,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    const { timeoutMs, urls } = this.options;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });

    this.counts.calls += 1;
    const sentAt = Date.now();
    try {
      const response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent, ...request.headers },
        body: request.body ?? null,
        signal: controller.signal,
      });
      const answer = {
        status: response.statusCode,
        headers: response.headers,
        text: await response.body.text(),
      };
      this.count(String(answer.status));
      this.publish(sentAt, answer.status);
      return answer;
    } catch (error) {
      this.count('error');
      this.publish(sentAt, 'error');
      if (options.signal?.aborted) throw options.signal.reason;
      if (timedOut) throw new JamaTimeoutError({ ...context, timeoutMs, cause: error });
      throw errorForFailure(error, context, urls.display, this.options);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** A 429: the shared limiter cuts the rate for everyone, and the caller gets the typed error. */
  private async throttled(
    headers: IncomingHttpHeaders,
    failed: JamaRequestContext,
    sentAt: number,
  ): Promise<JamaRateLimitedError> {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], this.options.clock.now());
    let limiterError: unknown;
    try {
      await this.options.limiter.onThrottled(retryAfterMs, sentAt);
    } catch (error) {
      // Still a 429 for the caller; the limiter's failure rides along as the cause.
      limiterError = error;
    }
    return new JamaRateLimitedError({ ...failed, retryAfterMs, cause: limiterError });
  }

  private publish(sentAt: number, status: number | 'error'): void {
    if (callChannel.hasSubscribers)
      callChannel.publish({ environment: this.options.environment, sentAt, status } satisfies JamaCallEvent);
  }

  private count(key: string): void {
    this.counts.byStatus[key] = (this.counts.byStatus[key] ?? 0) + 1;
  }
}

const INVALID = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function describe(headers: IncomingHttpHeaders): string {
  const type = headers['content-type'];
  return typeof type === 'string' ? `content-type ${type.split(';')[0]}` : 'no content-type';
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type JobInput, jobSchema, serializeJob } from '../../../src/core/jobs';
import type { JobQueue } from '../../../src/core/ports/job-queue';
import type { ClaimResult, PendingMarkers } from '../../../src/core/ports/pending-markers';
import type { ReplayGuard } from '../../../src/core/ports/replay-guard';
import { sign } from '../../../src/core/signature';
import type { IngestDeps } from '../../../src/core/webhook/ingest';
import type { Mapping } from '../../../src/core/webhook/mapping';
import type { WebhookSource } from '../../../src/core/webhook/source';
import { FakeClock } from '../../support/fake-clock';

export const SECRET = 'a-very-secret-hmac-key';

/** Markers in memory, with a TTL on the injected clock, and switches to make the store fail. */
export class MemoryMarkers implements PendingMarkers {
  readonly expires = new Map<string, number>();
  failClaimAfter = Number.POSITIVE_INFINITY;
  failRelease = false;
  released: number[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly ttlMs = 900_000,
  ) {}

  async claim(env: string, itemIds: readonly number[]): Promise<ClaimResult> {
    const result: ClaimResult = { claimed: [], pending: [] };
    for (const id of new Set(itemIds)) {
      if (result.claimed.length + result.pending.length >= this.failClaimAfter) {
        result.error = new Error('DynamoDB is down');
        break;
      }
      const key = `${env}#${id}`;
      if ((this.expires.get(key) ?? 0) > this.clock.now()) result.pending.push(id);
      else {
        this.expires.set(key, this.clock.now() + this.ttlMs);
        result.claimed.push(id);
      }
    }
    return result;
  }

  async release(env: string, itemIds: readonly number[]): Promise<void> {
    if (this.failRelease) throw new Error('DynamoDB is down');
    for (const id of itemIds) this.expires.delete(`${env}#${id}`);
    this.released.push(...itemIds);
  }

  live(env = 'default'): number[] {
    return [...this.expires]
      .filter(([key, at]) => key.startsWith(`${env}#`) && at > this.clock.now())
      .map(([key]) => Number(key.slice(env.length + 1)));
  }
}

/** Accepted requests in memory, expiring on the injected clock (as the state table's nonces do). */
export class MemoryReplays implements ReplayGuard {
  readonly expires = new Map<string, number>();
  forgotten = 0;

  async remember(source: string, signature: string, expiresAt: number, now: number): Promise<boolean> {
    const key = `${source}#${signature}`;
    if ((this.expires.get(key) ?? 0) >= now) return false;
    this.expires.set(key, expiresAt);
    return true;
  }

  async forget(source: string, signature: string): Promise<void> {
    this.forgotten++;
    this.expires.delete(`${source}#${signature}`);
  }
}

const SQS_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/**
 * A queue that holds SQS's rules (10 entries, 256 KiB a batch, its character set, and jobs the
 * worker can parse) and can be told to fail after `failAfter` accepted sends.
 */
export class StrictQueue implements JobQueue {
  readonly sent: JobInput[] = [];
  failAfter = Number.POSITIVE_INFINITY;
  sends = 0;

  async send(jobs: JobInput[]): Promise<void> {
    if (this.sends >= this.failAfter) throw new Error('SQS did not accept 1 message(s)');
    this.sends++;
    if (jobs.length === 0 || jobs.length > 10) throw new Error(`a batch of ${jobs.length}`);
    const bodies = jobs.map(serializeJob);
    const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
    if (bytes > 256 * 1024) throw new Error(`batch of ${bytes} bytes`);
    for (const body of bodies) {
      if (!SQS_CHARS.test(body)) throw new Error('InvalidMessageContents');
      const parsed = jobSchema.safeParse(JSON.parse(body));
      if (!parsed.success) throw new Error(`the worker would reject ${body}: ${parsed.error.message}`);
    }
    this.sent.push(...jobs);
  }
}

export function source(name: string, mapping: Mapping = 'native', env = 'default'): WebhookSource {
  return { name, env, secret: SECRET, mapping };
}

export function fakeDeps(sources: WebhookSource[] = [source('ci')]) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const markers = new MemoryMarkers(clock);
  const queue = new StrictQueue();
  const deps: IngestDeps = { sources: new Map(sources.map((s) => [s.name, s])), queue, markers, clock };
  return { deps, clock, markers, queue };
}

/** Headers signing `body` at `now` (epoch ms) with `secret`. */
export function signedHeaders(body: string, now: number, secret = SECRET): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'x-jama-sync-timestamp': String(timestamp),
    'x-jama-sync-signature': sign(secret, timestamp, body),
  };
}

/** A Function URL event (API Gateway v2 payload), as AWS delivers it. */
export function urlEvent(
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    base64?: boolean;
  } = {},
): APIGatewayProxyEventV2 {
  const body = options.body ?? '';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path ?? '/webhooks/ci',
    rawQueryString: '',
    headers: options.headers ?? {},
    requestContext: { http: { method: options.method ?? 'POST' } },
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  } as unknown as APIGatewayProxyEventV2;
}

export const lambdaContext = {
  functionName: 'webhook-test',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 10_000,
} as never;

export const updated = (itemId: number, extra: Record<string, unknown> = {}) => ({
  type: 'item.updated',
  itemId,
  ...extra,
});

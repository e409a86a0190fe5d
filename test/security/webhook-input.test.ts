import { request } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildWebhookDeps } from '../../functions/webhook/build-deps';
import { makeHandler } from '../../functions/webhook/handler';
import { loadWebhookConfig } from '../../src/config';
import { sign } from '../../src/core/signature';
import { startWebhookServer, type WebhookServer } from '../../src/local/webhook-server';
import { type TestAws, testAws } from '../support/aws';
import { FakeClock } from '../support/fake-clock';

const SECRET = 'security-webhook-secret-4b1d9e07';
const OTHER = 'some-other-secret-of-16-chars';

type Headers = Record<string, string>;

/** Raw POST with node:http, so exact bytes and headers go out (and a refused upload is observable). */
function post(url: string, body: Buffer, headers: Headers = {}) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-length': String(body.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const signedHeaders = (body: string, timestamp: number, secret = SECRET): Headers => ({
  'content-type': 'application/json',
  'x-jama-sync-timestamp': String(timestamp),
  'x-jama-sync-signature': sign(secret, timestamp, body),
});

const pullOf = (itemId: number) => JSON.stringify({ events: [{ type: 'item.updated', itemId }] });

// Servers start and stop in hooks and runs take seconds: more than jest's 5 s default.
jest.setTimeout(60_000);

describe('webhook input that must be refused', () => {
  let aws: TestAws;
  let server: WebhookServer;
  let sqs: SQSClient;
  const clock = new FakeClock(Date.parse('2026-02-01T10:00:00Z'));
  const now = () => Math.floor(clock.now() / 1000);
  const url = () => `${server.url}/webhooks/sec`;

  /** Every job the webhook queued so far (received and kept invisible, so each is counted once). */
  const queued = async () => {
    const jobs: unknown[] = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: aws.queues.jobs.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
        }),
      );
      if (!out.Messages?.length) return jobs;
      jobs.push(...out.Messages.map((m) => JSON.parse(m.Body ?? '')));
    }
  };

  beforeAll(async () => {
    aws = await testAws('security-webhook');
    sqs = aws.sqs();
    const config = loadWebhookConfig({
      JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify([{ name: 'sec', env: 'default', secret: SECRET }]),
      JAMA_SYNC_STATE_TABLE: aws.tables.state,
      JAMA_SYNC_JOBS_QUEUE_URL: aws.queues.jobs.url,
    });
    const deps = await buildWebhookDeps(config, { dynamodb: aws.dynamodb(), sqs });
    server = await startWebhookServer({
      handler: makeHandler({ ...deps, clock }, { logger: new Logger({ logLevel: 'SILENT' }) }),
    });
  });
  afterAll(async () => {
    await server?.close();
    await aws?.stop();
  });

  it.each<[string, (body: string) => Headers]>([
    ['no signature headers', () => ({ 'content-type': 'application/json' })],
    ['a signature but no timestamp', (b) => ({ 'x-jama-sync-signature': sign(SECRET, now(), b) })],
    ['a signature made with another secret', (b) => signedHeaders(b, now(), OTHER)],
    [
      'a signature of a different timestamp',
      (b) => ({ ...signedHeaders(b, now()), 'x-jama-sync-timestamp': String(now() + 1) }),
    ],
    [
      'a signature that is not hex',
      () => ({ 'x-jama-sync-timestamp': String(now()), 'x-jama-sync-signature': 'sha256=zz' }),
    ],
    ['a timestamp in milliseconds', (b) => signedHeaders(b, clock.now())],
    ['a correct signature, 5 min 1 s old', (b) => signedHeaders(b, now() - 301)],
    ['a correct signature, 5 min 1 s in the future', (b) => signedHeaders(b, now() + 301)],
  ])('answers 401 to %s and queues nothing', async (_name, headers) => {
    const body = pullOf(1);
    const res = await post(url(), Buffer.from(body), headers(body));
    expect(res).toMatchObject({ status: 401, json: { error: { code: 'WEBHOOK_SIGNATURE' } } });
    expect(await queued()).toEqual([]);
  });

  it('answers 401 to a signed body altered in transit', async () => {
    const body = pullOf(2);
    const res = await post(url(), Buffer.from(pullOf(3)), signedHeaders(body, now()));
    expect(res.status).toBe(401);
    expect(await queued()).toEqual([]);
  });

  it('refuses a captured request replayed after the 5-minute window', async () => {
    const body = pullOf(4);
    const captured = signedHeaders(body, now());
    expect((await post(url(), Buffer.from(body), captured)).status).toBe(202);
    expect(await queued()).toHaveLength(1);
    clock.advance(5 * 60_000 + 1000);
    const replay = await post(url(), Buffer.from(body), captured);
    expect(replay).toMatchObject({ status: 401, json: { error: { code: 'WEBHOOK_SIGNATURE' } } });
    expect(await queued()).toEqual([]);
  });

  it('answers an exact replay inside the window 409 and queues nothing, for every kind of event', async () => {
    const push = { type: 'item.push', itemId: 7, fields: { name: 'from the sender' } };
    const del = { type: 'item.deleted', itemId: 6, occurredAt: clock.now() };
    for (const body of [pullOf(5), JSON.stringify({ events: [del] }), JSON.stringify({ events: [push] })]) {
      const headers = signedHeaders(body, now());
      expect((await post(url(), Buffer.from(body), headers)).status).toBe(202);
      expect(await queued()).toHaveLength(1);
      for (const wait of [0, 60_000, 3 * 60_000]) {
        clock.advance(wait);
        const replay = await post(url(), Buffer.from(body), headers);
        expect(replay).toMatchObject({ status: 409, json: { error: { code: 'WEBHOOK_REPLAY' } } });
      }
      expect(await queued()).toEqual([]);
    }
    // The nonce lives in the state table under the webhook's own key prefix, for the window only.
    const nonces = await aws.dynamodb().send(
      new ScanCommand({
        TableName: aws.tables.state,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': { S: 'nonce#sec#' } },
      }),
    );
    expect(nonces.Items?.length).toBeGreaterThanOrEqual(3);
    for (const item of nonces.Items ?? [])
      expect(Number(item.expiresAt?.N)).toBeLessThanOrEqual(now() + 5 * 60 + 1);
  });

  it('accepts the same events signed again: a new request, not a replay', async () => {
    const body = JSON.stringify({ events: [{ type: 'item.push', itemId: 9, fields: { name: 'again' } }] });
    expect((await post(url(), Buffer.from(body), signedHeaders(body, now()))).status).toBe(202);
    clock.advance(1000);
    expect((await post(url(), Buffer.from(body), signedHeaders(body, now()))).status).toBe(202);
    expect(await queued()).toHaveLength(2);
  });

  it('answers 413 to a signed body over 256 KiB, and to a 4 MiB upload before reading it all', async () => {
    const padding = 'x'.repeat(256 * 1024);
    const big = JSON.stringify({ events: [{ type: 'item.updated', itemId: 8 }], padding });
    expect(await post(url(), Buffer.from(big), signedHeaders(big, now()))).toMatchObject({
      status: 413,
      json: { error: { code: 'WEBHOOK_TOO_LARGE' } },
    });
    const huge = Buffer.alloc(4 * 1024 * 1024, 'x');
    const res = await post(url(), huge, signedHeaders('', now())).catch((error: Error) => error);
    // The server answers before the upload ends and closes: the client sees the 413 or the reset.
    if (res instanceof Error) expect(res.message).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    else expect(res).toMatchObject({ status: 413, json: { error: { code: 'WEBHOOK_TOO_LARGE' } } });
    expect(await queued()).toEqual([]);
  });

  it('answers 400 to a signed body with more than 1,000 events, queuing none of them', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({ type: 'item.updated', itemId: i + 1 }));
    const body = JSON.stringify({ events });
    const res = await post(url(), Buffer.from(body), signedHeaders(body, now()));
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'WEBHOOK_SCHEMA' } } });
    expect(await queued()).toEqual([]);
  });
});

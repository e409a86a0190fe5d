import { request } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { buildWebhookDeps } from '../../../functions/webhook/build-deps';
import { makeHandler } from '../../../functions/webhook/handler';
import { loadWebhookConfig } from '../../../src/config';
import { parseJob } from '../../../src/core/jobs';
import { sign } from '../../../src/core/signature';
import { startWebhookServer, type WebhookServer } from '../../../src/local/webhook-server';
import { type TestAws, testAws } from '../../support/aws';

const SECRET = 'integration-secret-0123456789';

/** POSTs raw bytes with node:http, so a server that stops reading can still be observed. */
function post(url: string, body: Buffer, headers: Record<string, string> = {}, method = 'POST') {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { 'content-length': String(body.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Headers signing `body` now (plus `offsetSeconds`: the same events signed again are a new request). */
function signed(body: string, offsetSeconds = 0) {
  const ts = Math.floor(Date.now() / 1000) + offsetSeconds;
  return {
    'content-type': 'application/json',
    'x-jama-sync-timestamp': String(ts),
    'x-jama-sync-signature': sign(SECRET, ts, body),
  };
}

describe('webhook on localhost over SQS and DynamoDB', () => {
  let aws: TestAws;
  let server: WebhookServer;
  beforeAll(async () => {
    aws = await testAws('webhook-server');
    const config = loadWebhookConfig({
      JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify([{ name: 'ci', env: 'default', secret: SECRET }]),
      JAMA_SYNC_STATE_TABLE: aws.tables.state,
      JAMA_SYNC_JOBS_QUEUE_URL: aws.queues.jobs.url,
    });
    const deps = await buildWebhookDeps(config, { dynamodb: aws.dynamodb(), sqs: aws.sqs() });
    server = await startWebhookServer({
      handler: makeHandler(deps, { logger: new Logger({ logLevel: 'SILENT' }) }),
      readLimitBytes: 512 * 1024,
    });
  });
  afterAll(async () => {
    await server?.close();
    await aws?.stop();
  });

  it('answers 202 once the job is in SQS, coalesces a repeat, and refuses an exact replay', async () => {
    const body = JSON.stringify({ events: [{ type: 'item.updated', itemId: 42, documentKey: 'P-42' }] });
    expect(await post(`${server.url}/webhooks/ci`, Buffer.from(body), signed(body))).toEqual({
      status: 202,
      json: { accepted: 1, enqueued: 1, coalesced: 0, ignored: 0 },
    });
    // Signed once, sent twice: the second send is the exact replay (not a new signature that a
    // second boundary between the two would date differently).
    const again = signed(body, 1);
    expect((await post(`${server.url}/webhooks/ci`, Buffer.from(body), again)).json).toMatchObject({
      coalesced: 1,
    });
    expect(await post(`${server.url}/webhooks/ci`, Buffer.from(body), again)).toMatchObject({
      status: 409,
      json: { error: { code: 'WEBHOOK_REPLAY' } },
    });
    const out = await aws
      .sqs()
      .send(new ReceiveMessageCommand({ QueueUrl: aws.queues.jobs.url, MaxNumberOfMessages: 10 }));
    expect(out.Messages?.map((m) => parseJob(m.Body ?? ''))).toEqual([
      {
        ok: true,
        job: {
          v: 1,
          env: 'default',
          kind: 'pull',
          itemId: 42,
          documentKey: 'P-42',
          acceptedAt: expect.any(Number),
        },
      },
    ]);
  });

  it.each([
    ['an unknown source', '/webhooks/nobody', 'POST', 404],
    ['a GET', '/webhooks/ci', 'GET', 405],
    ['no signature', '/webhooks/ci', 'POST', 401],
  ])('answers %s with its status', async (_name, path, method, status) => {
    expect((await post(`${server.url}${path}`, Buffer.from('{}'), {}, method)).status).toBe(status);
  });

  it('leaves the 256 KiB limit to the handler (413), and stops reading past its own limit (413)', async () => {
    const big = Buffer.alloc(300 * 1024, 'x');
    expect(await post(`${server.url}/webhooks/ci`, big, signed(big.toString()))).toMatchObject({
      status: 413,
      json: { error: { code: 'WEBHOOK_TOO_LARGE' } },
    });
    const huge = Buffer.alloc(4 * 1024 * 1024, 'x');
    const res = await post(`${server.url}/webhooks/ci`, huge).catch((error: Error) => error);
    // The server answers before the upload ends and closes; a client may see the 413 or the reset.
    if (!(res instanceof Error))
      expect(res).toMatchObject({ status: 413, json: { error: { code: 'WEBHOOK_TOO_LARGE' } } });
    else expect(res.message).toMatch(/EPIPE|ECONNRESET|socket hang up/);
  });
});

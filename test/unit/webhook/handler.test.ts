import { Logger } from '@aws-lambda-powertools/logger';
import { makeHandler } from '../../../functions/webhook/handler';
import { REPLAY_WINDOW_MS } from '../../../src/core/webhook/authenticate';
import { MAX_BODY_BYTES } from '../../../src/core/webhook/ingest';
import {
  fakeDeps,
  lambdaContext,
  MemoryReplays,
  SECRET,
  signedHeaders,
  source,
  updated,
  urlEvent,
} from './support';

type Res = { statusCode: number; body: string; headers?: Record<string, string> };

function setup(replays?: MemoryReplays) {
  const f = fakeDeps([source('ci'), source('other', 'native', 'staging')]);
  const handler = makeHandler(
    { ...f.deps, ...(replays ? { replays } : {}) },
    { logger: new Logger({ logLevel: 'SILENT' }) },
  );
  const call = async (event: Parameters<typeof handler>[0]) => {
    const res = (await handler(event, lambdaContext)) as Res;
    return { status: res.statusCode, json: JSON.parse(res.body), headers: res.headers };
  };
  const post = (payload: unknown, extra: { path?: string; base64?: boolean; at?: number } = {}) => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return call(urlEvent({ body, headers: signedHeaders(body, extra.at ?? f.clock.now()), ...extra }));
  };
  return { ...f, call, post };
}

describe('webhook handler', () => {
  it('answers 202 with counts once every job is queued', async () => {
    const t = setup();
    const res = await t.post({
      events: [
        updated(1),
        updated(1),
        updated(2, { documentKey: 'P-2' }),
        { type: 'item.deleted', itemId: 3 },
      ],
    });
    expect(res).toMatchObject({ status: 202, json: { accepted: 4, enqueued: 3, coalesced: 1, ignored: 0 } });
    expect(t.queue.sent.map((j) => [j.kind, 'itemId' in j ? j.itemId : 0])).toEqual([
      ['pull', 1],
      ['pull', 2],
      ['delete', 3],
    ]);
  });

  it('reads a base64-encoded body, as Function URLs send non-text bodies', async () => {
    const t = setup();
    expect(await t.post({ events: [updated(7)] }, { base64: true })).toMatchObject({ status: 202 });
    expect(t.queue.sent).toEqual([
      { v: 1, env: 'default', kind: 'pull', itemId: 7, acceptedAt: expect.any(Number) },
    ]);
  });

  it('coalesces an item whose pull is already pending, and queues it again once the worker took it', async () => {
    const t = setup();
    await t.post({ events: [updated(1)] });
    expect((await t.post({ events: [updated(1), updated(2)] })).json).toMatchObject({
      enqueued: 1,
      coalesced: 1,
    });
    await t.markers.release('default', [1]); // the worker is about to read item 1
    expect((await t.post({ events: [updated(1)] })).json).toMatchObject({ enqueued: 1, coalesced: 0 });
    expect(t.queue.sent.filter((j) => j.kind === 'pull' && j.itemId === 1)).toHaveLength(2);
  });

  it('coalesces a relationship whose re-read is pending, apart from an item of the same id', async () => {
    const t = setup();
    const link = (relationshipId: number) => ({ type: 'relationship.updated', relationshipId });
    await t.post({ events: [link(1), updated(1)] });
    expect((await t.post({ events: [link(1), link(2)] })).json).toMatchObject({ enqueued: 1, coalesced: 1 });
    await t.markers.release('default#relationships', [1]); // the worker is about to read it
    expect((await t.post({ events: [link(1)] })).json).toMatchObject({ enqueued: 1, coalesced: 0 });
    expect(t.queue.sent.map((j) => (j.kind === 'relationship-pull' ? j.relationshipIds : j.kind))).toEqual([
      'pull',
      [1],
      [2],
      [1],
    ]);
  });

  it('never coalesces pushes and deletes', async () => {
    const t = setup();
    const push = { type: 'item.push', itemId: 1, fields: { name: 'x' } };
    const res = await t.post({ events: [push, push, { type: 'item.deleted', itemId: 1 }, updated(1)] });
    expect(res.json).toMatchObject({ enqueued: 4, coalesced: 0 });
  });

  it('answers 503 and releases its markers when SQS does not take every job, so a retry is queued', async () => {
    const t = setup();
    t.queue.failAfter = 1;
    const events = Array.from({ length: 25 }, (_, i) => updated(i + 1));
    const res = await t.post({ events });
    expect(res).toMatchObject({ status: 503, json: { error: { code: 'WEBHOOK_UNAVAILABLE' } } });
    expect(res.headers?.['retry-after']).toBe('5');
    expect(t.markers.live()).toEqual([]);
    t.queue.failAfter = Number.POSITIVE_INFINITY;
    expect(await t.post({ events })).toMatchObject({ status: 202, json: { enqueued: 25, coalesced: 0 } });
  });

  it('answers an exact replay 409 with nothing queued, and forgets a request it could not queue', async () => {
    const replays = new MemoryReplays();
    const t = setup(replays);
    const push = { events: [{ type: 'item.push', itemId: 1, fields: { Priority: 'High' } }] };
    expect((await t.post(push)).status).toBe(202);
    t.clock.advance(REPLAY_WINDOW_MS - 1000);
    expect(await t.post(push, { at: t.clock.now() - (REPLAY_WINDOW_MS - 1000) })).toMatchObject({
      status: 409,
      json: { error: { code: 'WEBHOOK_REPLAY' } },
    });
    expect(t.queue.sent).toHaveLength(1);
    t.queue.failAfter = 1;
    const other = { events: [{ type: 'item.deleted', itemId: 2 }] };
    expect((await t.post(other)).status).toBe(503);
    expect(replays.forgotten).toBe(1);
    t.queue.failAfter = Number.POSITIVE_INFINITY;
    expect((await t.post(other)).status).toBe(202);
    expect(t.queue.sent.map((j) => j.kind)).toEqual(['push', 'delete']);
  });

  it('answers 503 when the marker store fails, releasing the markers it did claim', async () => {
    const t = setup();
    t.markers.failClaimAfter = 2;
    const res = await t.post({ events: [updated(1), updated(2), updated(3)] });
    expect(res.status).toBe(503);
    expect(t.markers.released.sort()).toEqual([1, 2]);
    expect(t.queue.sent).toEqual([]);
  });

  it('answers 503 even when releasing fails too (markers then expire with their TTL)', async () => {
    const t = setup();
    t.queue.failAfter = 0;
    t.markers.failRelease = true;
    expect((await t.post({ events: [updated(1)] })).status).toBe(503);
  });

  const big = JSON.stringify({ events: [updated(1, { fields: { pad: 'x'.repeat(MAX_BODY_BYTES) } })] });
  it.each([
    ['an unknown source', { path: '/webhooks/nobody' }, 404, 'WEBHOOK_UNKNOWN_SOURCE'],
    ['another path', { path: '/hooks/ci' }, 404, 'WEBHOOK_NOT_FOUND'],
    ['a GET', { method: 'GET' }, 405, 'WEBHOOK_METHOD'],
    ['no signature', { headers: {} }, 401, 'WEBHOOK_SIGNATURE'],
    [
      'a wrong secret',
      { headers: signedHeaders('{"events":[]}', Date.UTC(2026, 0, 1), 'another-secret-key!') },
      401,
      'WEBHOOK_SIGNATURE',
    ],
    [
      'a body over 256 KiB',
      { body: big, headers: signedHeaders(big, Date.UTC(2026, 0, 1)) },
      413,
      'WEBHOOK_TOO_LARGE',
    ],
  ])('refuses %s', async (_name, overrides, status, code) => {
    const t = setup();
    const res = await t.call(
      urlEvent({
        body: '{"events":[]}',
        headers: signedHeaders('{"events":[]}', t.clock.now()),
        ...overrides,
      }),
    );
    expect(res).toMatchObject({ status, json: { error: { code } } });
    expect(t.queue.sent).toEqual([]);
  });

  it.each([
    ['not JSON', '{"events":', 'WEBHOOK_BODY_INVALID', /not JSON/],
    ['no events', { items: [] }, 'WEBHOOK_SCHEMA', /events: /],
    ['a bad item id', { events: [updated(-1)] }, 'WEBHOOK_SCHEMA', /events\.0\.itemId/],
    ['an unknown type', { events: [{ type: 'item.moved', itemId: 1 }] }, 'WEBHOOK_SCHEMA', /events\.0\.type/],
  ])('answers 400 with the reason for %s', async (_name, payload, code, reason) => {
    const t = setup();
    const res = await t.post(payload);
    expect(res).toMatchObject({ status: 400, json: { error: { code } } });
    expect(res.json.error.message).toMatch(reason);
  });

  it('refuses a signature older or newer than the replay window, accepts one just inside', async () => {
    const t = setup();
    const at = (ms: number) => t.post({ events: [updated(1)] }, { at: t.clock.now() + ms });
    expect((await at(-REPLAY_WINDOW_MS - 1000)).status).toBe(401);
    expect((await at(REPLAY_WINDOW_MS + 1000)).status).toBe(401);
    expect((await at(-REPLAY_WINDOW_MS + 1000)).status).toBe(202);
  });

  it('answers 503 while its dependencies cannot be built, and builds them again on the next request', async () => {
    const f = fakeDeps();
    let builds = 0;
    const handler = makeHandler(
      async () => {
        if (++builds === 1) throw new Error('Secrets Manager unreachable');
        return f.deps;
      },
      { logger: new Logger({ logLevel: 'SILENT' }) },
    );
    const body = JSON.stringify({ events: [updated(1)] });
    const event = () => urlEvent({ body, headers: signedHeaders(body, f.clock.now()) });
    expect(((await handler(event(), lambdaContext)) as Res).statusCode).toBe(503);
    expect(((await handler(event(), lambdaContext)) as Res).statusCode).toBe(202);
  });

  it('logs neither the secret nor the signature', async () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const spies = [process.stdout, process.stderr].map((s) =>
      jest.spyOn(s, 'write').mockImplementation(capture),
    );
    try {
      const f = fakeDeps();
      const handler = makeHandler(f.deps, { logger: new Logger({ logLevel: 'DEBUG', serviceName: 't' }) });
      const body = JSON.stringify({ events: [updated(1)] });
      const headers = signedHeaders(body, f.clock.now());
      await handler(urlEvent({ body, headers }), lambdaContext);
      await handler(urlEvent({ body: `${body} `, headers }), lambdaContext);
      const signature = headers['x-jama-sync-signature'] as string;
      expect(lines.join('')).toMatch(/webhook accepted[\s\S]*webhook refused/);
      expect(lines.join('')).not.toContain(SECRET);
      expect(lines.join('')).not.toContain(signature.slice(7, 30));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

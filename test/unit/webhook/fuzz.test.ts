import fc from 'fast-check';
import { expectRefused, harness } from './fuzz-harness';
import { urlEvent } from './support';

const base64Event = (event: ReturnType<typeof urlEvent>) => ({ ...event, isBase64Encoded: true });
const text = fc.string({ unit: 'binary', maxLength: 300 });
const bodies = fc.oneof(
  text,
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
);
const now = Date.UTC(2026, 0, 1);

describe('webhook fuzzing (2,600 refused requests, 300 odd valid ones)', () => {
  it('refuses random, unsigned requests with a 4xx and queues nothing (700 runs)', async () => {
    const h = harness();
    const header = fc.oneof(
      text,
      fc.integer({ min: 0, max: 2 ** 40 }).map(String),
      fc.stringMatching(/^sha256=[0-9a-f]{64}$/),
      fc.constant(String(Math.floor(now / 1000))),
    );
    const headers = fc.dictionary(
      fc.oneof(
        fc.constantFrom('x-jama-sync-signature', 'x-jama-sync-timestamp', 'content-type'),
        fc.string(),
      ),
      header,
    );
    const path = fc.oneof(
      fc.constantFrom('/webhooks/ci', '/webhooks/mapped', '/webhooks/', '/webhooks/ci/x', '/'),
      fc.string().map((s) => `/webhooks/${s}`),
      fc.webPath(),
    );
    const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'OPTIONS');
    await fc.assert(
      fc.asyncProperty(method, path, headers, bodies, fc.boolean(), async (m, p, hs, body, b64) => {
        const event = urlEvent({ method: m, path: p, headers: hs, body, base64: b64 });
        await expectRefused(h, b64 ? base64Event(event) : event);
      }),
      { numRuns: 700 },
    );
  });

  it('answers 400 to signed bodies that are not JSON or not UTF-8 (500 runs)', async () => {
    const h = harness();
    const garbage = fc.oneof(
      text.filter((s) => !isJson(s)),
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (body) => expectRefused(h, h.signed('/webhooks/ci', body), 400)),
      { numRuns: 500 },
    );
  });

  it('answers 400 to signed JSON that is not the native contract (500 runs)', async () => {
    const h = harness();
    const json = fc
      .jsonValue({ maxDepth: 5 })
      .filter((v) => !(typeof v === 'object' && v !== null && 'events' in v));
    await fc.assert(
      fc.asyncProperty(json, async (value) =>
        expectRefused(h, h.signed('/webhooks/ci', JSON.stringify(value)), 400),
      ),
      { numRuns: 500 },
    );
  });

  it('answers 400 to signed native bodies with one thing broken (600 runs)', async () => {
    const h = harness();
    const event = fc.record({
      type: fc.constantFrom('item.created', 'item.updated', 'item.deleted'),
      itemId: fc.integer({ min: 1, max: 1e9 }),
      documentKey: fc.constantFrom('P-1', 'REQ-22'),
    });
    const breakIt = fc.oneof(
      fc.record({
        itemId: fc.oneof(
          fc.integer({ max: 0 }),
          fc.double({ noInteger: true }),
          fc.string(),
          fc.constant(null),
        ),
      }),
      fc.record({ type: fc.string().filter((s) => !s.startsWith('item.')) }),
      fc.record({ occurredAt: fc.oneof(fc.integer({ min: 0, max: 9e11 }), fc.string({ maxLength: 20 })) }),
      fc.record({
        documentKey: fc.oneof(
          fc.constant(''),
          fc.integer(),
          fc.string().map((s) => `${s}\u0007`),
        ),
      }),
      fc.record({
        type: fc.constant('item.push'),
        fields: fc.constantFrom({}, { 'a/b': 1 }, { x: '\uffff' }, undefined),
      }),
      fc.record({ projectId: fc.oneof(fc.integer({ max: 0 }), fc.string()) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 20 }), fc.nat(), breakIt, async (events, at, change) => {
        const broken = [...events];
        const i = events.length ? at % events.length : 0;
        broken[i] = {
          ...(events[i] ?? { type: 'item.updated', itemId: 1 }),
          ...change,
        } as (typeof events)[number];
        await expectRefused(h, h.signed('/webhooks/ci', JSON.stringify({ events: broken })), 400);
      }),
      { numRuns: 600 },
    );
  });

  it('answers 400 or 202 to signed payloads of the mapped source, never a 5xx (300 runs)', async () => {
    const h = harness();
    const change = fc.record(
      {
        action: fc.oneof(fc.constantFrom('modified', 'removed', 'skipped'), fc.string()),
        jama: fc.jsonValue({ maxDepth: 2 }),
        at: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    );
    const payload = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ changes: fc.oneof(fc.array(change, { maxLength: 5 }), change) }),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (value) => {
        const status = await h.call(h.signed('/webhooks/mapped', JSON.stringify(value)));
        expect([202, 400]).toContain(status);
      }),
      { numRuns: 300 },
    );
  });

  it('queues odd but valid content only in a form SQS and the worker take, else answers 400 (300 runs)', async () => {
    const h = harness();
    const event = fc.oneof(
      fc.record({
        type: fc.constant('item.updated'),
        itemId: fc.integer({ min: 1, max: 1e6 }),
        documentKey: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      }),
      fc.record({
        type: fc.constant('item.push'),
        itemId: fc.integer({ min: 1, max: 1e6 }),
        fields: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_$]{0,10}$/), fc.jsonValue({ maxDepth: 3 }), {
          minKeys: 1,
          maxKeys: 5,
        }),
      }),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 30 }), async (events) => {
        const status = await h.call(h.signed('/webhooks/ci', JSON.stringify({ events })));
        expect([202, 400]).toContain(status);
        if (status === 202) accepted++;
        await h.markers.release(
          'default',
          events.map((e) => e.itemId),
        );
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

// The positive control: a signed, valid request through the same path is accepted, so the
// properties above fail for what they fuzz, not for a broken signature.
it('accepts a valid request signed the way the fuzzer signs', async () => {
  const h = harness();
  expect(await h.call(h.signed('/webhooks/ci', '{"events":[{"type":"item.updated","itemId":1}]}'))).toBe(202);
});

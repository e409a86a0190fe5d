import { JamaRateLimitedError } from '../../../src/core/jama-errors';
import {
  type AcquireOptions,
  LimiterWaitError,
  type RateLimiter,
} from '../../../src/core/ports/rate-limiter';
import { FakeClock } from '../../support/fake-clock';
import {
  CountingLimiter,
  clientFor,
  item,
  pageOf,
  type Reply,
  single,
  stubsPerTest,
  TOKEN_PATH,
  tokenReply,
} from '../../support/jama-http-stub';

const startStub = stubsPerTest();

const tooMany = (headers: Record<string, string> = {}): Reply => ({
  status: 429,
  headers,
  json: { meta: { status: 'Too Many Requests', message: 'Rate limit exceeded' } },
});

describe('jama client › limiter', () => {
  it('takes one limiter slot before every HTTP request, the token request included', async () => {
    const log: string[] = [];
    const items = Array.from({ length: 120 }, (_, i) => item(i + 1));
    const fake = await startStub((req) => {
      if (req.path === TOKEN_PATH) return tokenReply();
      if (req.path === '/rest/v1/items') return pageOf(items, req);
      return single(item(1));
    }, log);
    const limiter = new CountingLimiter(log);
    const jama = clientFor(fake, limiter);
    await jama.getItem(1);
    for await (const _ of jama.iterateItems(1)) {
      // drain
    }
    await jama.patchItem(1, [{ op: 'replace', path: '/fields/name', value: 'x' }]);
    await jama.close();
    expect(fake.requests).toHaveLength(1 + 1 + 3 + 1);
    expect(limiter.acquired).toBe(fake.requests.length);
    expect(jama.stats()).toEqual({ calls: 6, byStatus: { '200': 6 } });
    // Strictly alternating: every request was preceded by its own acquire.
    expect(log).toEqual(fake.requests.flatMap((r) => ['acquire', `${r.method} ${r.path}`]));
  });

  it('passes the caller’s signal and maxWaitMs (or the client default) to acquire', async () => {
    const fake = await startStub((req) => (req.path === TOKEN_PATH ? tokenReply() : single(item(1))));
    const limiter = new CountingLimiter();
    const jama = clientFor(fake, limiter, { maxWaitMs: 2_000 });
    const signal = new AbortController().signal;
    await jama.getItem(1, { signal, maxWaitMs: 500 });
    await jama.getItem(1);
    await jama.close();
    const [token, first, second] = limiter.acquireOptions as AcquireOptions[];
    expect(token).toEqual({ maxWaitMs: 500 });
    expect(first).toEqual({ signal, maxWaitMs: 500 });
    expect(second).toEqual({ maxWaitMs: 2_000 });
  });

  it('sends nothing when the limiter says the slot is too far away', async () => {
    const fake = await startStub(() => single(item(1)));
    const limiter: RateLimiter = {
      acquire: async () => {
        throw new LimiterWaitError(4_000);
      },
      onThrottled: async () => {},
    };
    const jama = clientFor(fake, limiter, {
      credentials: { type: 'basic', username: 'u1', password: 'p1-pass' },
    });
    await expect(jama.getItem(1)).rejects.toBeInstanceOf(LimiterWaitError);
    await jama.close();
    expect(fake.requests).toHaveLength(0);
    expect(jama.stats().calls).toBe(0);
  });

  it.each([
    ['Retry-After in seconds', { 'retry-after': '7' }, 7_000],
    ['fractional Retry-After', { 'retry-after': '1.5' }, 1_500],
    [
      'Retry-After as an HTTP-date',
      { 'retry-after': new Date(Date.UTC(2026, 0, 1, 0, 0, 12)).toUTCString() },
      12_000,
    ],
    ['Retry-After date in the past', { 'retry-after': new Date(Date.UTC(2025, 11, 31)).toUTCString() }, 0],
    ['no Retry-After', {}, undefined],
    ['unreadable Retry-After', { 'retry-after': 'soon' }, undefined],
  ])(
    'on a 429 with %s tells the limiter and throws JamaRateLimitedError',
    async (_label, headers, expectedMs) => {
      const fake = await startStub((req) => (req.path === TOKEN_PATH ? tokenReply() : tooMany(headers)));
      const limiter = new CountingLimiter();
      const jama = clientFor(fake, limiter, { clock: new FakeClock(Date.UTC(2026, 0, 1)) });
      const error = await jama.getItem(3).catch((e: unknown) => e as JamaRateLimitedError);
      await jama.close();
      expect(error).toBeInstanceOf(JamaRateLimitedError);
      expect(error).toMatchObject({
        code: 'JAMA_RATE_LIMITED',
        retryable: true,
        status: 429,
        path: '/rest/v1/items/3',
      });
      expect(error.retryAfterMs).toBe(expectedMs);
      expect(limiter.throttled).toEqual([expectedMs]);
      // With when the refused call went (the client's clock), so the limiter can tell the room left.
      expect(limiter.sentAt).toEqual([Date.UTC(2026, 0, 1)]);
      // The client does not retry 429s itself: exactly one REST request went out.
      expect(fake.rest()).toHaveLength(1);
      expect(jama.stats().byStatus).toEqual({ '200': 1, '429': 1 });
    },
  );

  it('reports a 429 on the token request as well', async () => {
    const fake = await startStub(() => tooMany({ 'retry-after': '3' }));
    const limiter = new CountingLimiter();
    const jama = clientFor(fake, limiter);
    await expect(jama.getItem(1)).rejects.toMatchObject({
      code: 'JAMA_RATE_LIMITED',
      path: TOKEN_PATH,
      retryAfterMs: 3_000,
    });
    await jama.close();
    expect(limiter.throttled).toEqual([3_000]);
  });

  it('still throws JamaRateLimitedError when the limiter fails to record the 429', async () => {
    const fake = await startStub(() => tooMany());
    const storeDown = new Error('DynamoDB unavailable');
    const limiter: RateLimiter = {
      acquire: async () => {},
      onThrottled: async () => Promise.reject(storeDown),
    };
    const jama = clientFor(fake, limiter, {
      credentials: { type: 'basic', username: 'u1', password: 'p1-pass' },
    });
    const error = await jama.getItem(1).catch((e: unknown) => e as Error);
    await jama.close();
    expect(error).toBeInstanceOf(JamaRateLimitedError);
    expect(error.cause).toBe(storeDown);
  });

  it('stops iterating at a 429 instead of firing the remaining pages', async () => {
    let served = 0;
    const items = Array.from({ length: 200 }, (_, i) => item(i + 1));
    const fake = await startStub((req) => {
      if (req.path === TOKEN_PATH) return tokenReply();
      served += 1;
      return served === 2 ? tooMany() : pageOf(items, req);
    });
    const jama = clientFor(fake, new CountingLimiter());
    const seen: number[] = [];
    const run = async () => {
      for await (const it of jama.iterateItems(1)) seen.push(it.id);
    };
    await expect(run()).rejects.toBeInstanceOf(JamaRateLimitedError);
    await jama.close();
    expect(seen).toHaveLength(50);
    expect(fake.rest()).toHaveLength(2);
  });
});

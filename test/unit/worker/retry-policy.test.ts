import type { JobMeta } from '../../../src/core/jobs';
import { decide, type RetryPolicyConfig } from '../../../src/core/worker/retry-policy';

const schedule = [3, 5, 8, 13, 21, 34, 55, 89, 144];
const config: RetryPolicyConfig = {
  maxReceiveCount: 10,
  maxFailures: 5,
  delayMs: (attempt) => (schedule[Math.min(attempt, schedule.length - 1)] as number) * 1000,
};
const fresh = { throttles: 0, failures: 0 };

describe('retry policy', () => {
  it('deletes records that are done', () => {
    expect(decide({ type: 'done' }, 1, fresh, config)).toEqual({ action: 'delete' });
  });

  it('dead-letters rejected records at once with their reason', () => {
    expect(
      decide({ type: 'rejected', reason: 'invalid job: itemId: expected number' }, 1, fresh, config),
    ).toEqual({
      action: 'dead-letter',
      reason: 'invalid job: itemId: expected number',
    });
  });

  it.each([
    [1, 0, 3],
    [2, 0, 5],
    [3, 0, 8],
    [1, 9, 144],
  ])(
    'hands a throttled record back through visibility: receive %i after %i carried throttles waits %i s',
    (receive, carried, seconds) => {
      expect(
        decide({ type: 'throttled', by: 'jama' }, receive, { ...fresh, throttles: carried }, config),
      ).toEqual({
        action: 'retry-later',
        delaySeconds: seconds,
      });
    },
  );

  it('honours a Retry-After longer than the backoff step', () => {
    expect(decide({ type: 'throttled', by: 'jama', retryAfterMs: 30_000 }, 1, fresh, config)).toEqual({
      action: 'retry-later',
      delaySeconds: 30,
    });
  });

  it.each([
    [2000, 0, 2],
    [2000, 0.99, 3],
    [7000, 0.5, 8],
  ])(
    'waits for the limiter slot (%i ms away, random %f) without escalating: %i s',
    (retryAfterMs, r, seconds) => {
      expect(
        decide(
          { type: 'throttled', by: 'limiter', retryAfterMs },
          5,
          { ...fresh, throttles: 20 },
          { ...config, random: () => r },
        ),
      ).toEqual({ action: 'retry-later', delaySeconds: seconds });
    },
  );

  it('re-sends a throttled record with its throttle count before the redrive limit', () => {
    expect(decide({ type: 'throttled', by: 'jama' }, 9, fresh, config)).toEqual({
      action: 'resend',
      delaySeconds: 144,
      meta: { throttles: 9, failures: 0 },
    });
  });

  it('never dead-letters a record for throttling, however often', () => {
    let meta = fresh;
    let receive = 1;
    for (let i = 0; i < 100; i++) {
      const action = decide({ type: 'throttled', by: 'jama' }, receive, meta, config);
      expect(action.action).not.toBe('dead-letter');
      expect(receive).toBeLessThan(config.maxReceiveCount);
      if (action.action === 'resend') {
        meta = action.meta;
        receive = 1;
      } else receive++;
    }
    expect(meta.throttles).toBeGreaterThanOrEqual(90);
  });

  it('re-sends real failures carrying the count and the last error, then dead-letters', () => {
    const error = Object.assign(new Error('Jama answered 503'), { code: 'JAMA_SERVER' });
    let meta = fresh;
    for (let i = 1; i < 5; i++) {
      const action = decide({ type: 'failed', error }, 1, meta, config);
      expect(action).toMatchObject({
        action: 'resend',
        meta: { failures: i, lastError: 'JAMA_SERVER: Jama answered 503' },
      });
      if (action.action === 'resend') meta = action.meta;
    }
    expect(decide({ type: 'failed', error }, 1, meta, config)).toEqual({
      action: 'dead-letter',
      reason: 'failed 5 times; last error: JAMA_SERVER: Jama answered 503',
    });
  });

  it('keeps retrying transient failures until the outage budget is spent, then dead-letters', () => {
    const error = Object.assign(new Error('Jama answered 503'), { code: 'JAMA_SERVER' });
    let now = 1_000_000;
    const budgeted = { ...config, outageBudgetMs: 15 * 60_000, now: () => now };
    let meta: JobMeta = fresh;
    let action = decide({ type: 'failed', error }, 1, meta, budgeted);
    let failures = 0;
    // A 15-minute outage: every failure comes back after its delay, none is dead-lettered early.
    while (action.action === 'resend') {
      failures++;
      expect(action.meta.firstFailureAt).toBe(1_000_000);
      meta = action.meta;
      now += action.delaySeconds * 1000;
      action = decide({ type: 'failed', error }, 1, meta, budgeted);
    }
    expect(failures).toBeGreaterThan(5);
    expect(now - 1_000_000).toBeGreaterThanOrEqual(15 * 60_000);
    expect(action).toEqual({
      action: 'dead-letter',
      reason: `failed ${failures + 1} times over ${(now - 1_000_000) / 1000} s; last error: JAMA_SERVER: Jama answered 503`,
    });
  });

  it('hands deferred records back after a short delay', () => {
    expect(decide({ type: 'deferred' }, 1, fresh, config)).toEqual({
      action: 'retry-later',
      delaySeconds: 1,
    });
  });
});

import { ConfigError } from '../../../src/core/errors';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { FakeClock } from '../../support/fake-clock';
import { InMemoryRateLimiter } from '../../support/in-memory-limiter';

function setup(options: { ceiling?: number; maxWaitMs?: number } = {}) {
  const clock = new FakeClock();
  const start = clock.now();
  const limiter = new InMemoryRateLimiter({ clock, random: () => 0.5, slowStartFactor: 1, ...options });
  const elapsed = () => Math.round((clock.now() - start) * 1000) / 1000;
  return { clock, limiter, elapsed };
}

describe('in-memory limiter', () => {
  it('lets the first call go at once and spaces the next ones at the ceiling', async () => {
    const { limiter, elapsed } = setup({ ceiling: 10 });
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await limiter.acquire();
      times.push(elapsed());
    }
    expect(times).toEqual([0, 100, 200, 300]);
  });

  it('reports the reserved slot and when the acquire resolved, never before the slot on a ms clock', async () => {
    const { limiter, clock } = setup();
    const start = clock.now();
    await limiter.acquire();
    const slot = await limiter.acquireSlot();
    expect(slot.slotAt - start).toBeCloseTo(111.112, 3);
    expect(slot.acquiredAt - start).toBe(112);
    expect(slot.acquiredAt).toBe(clock.now());
  });

  it('rejects with LimiterWaitError carrying retryAfterMs when the slot is beyond maxWaitMs', async () => {
    const { limiter } = setup({ ceiling: 10 });
    await limiter.acquire();
    const error = await limiter.acquire({ maxWaitMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimiterWaitError);
    expect(error).toMatchObject({ code: 'LIMITER_WAIT', retryable: true, retryAfterMs: 100 });
    expect(limiter.stats).toEqual({ acquires: 1, refusals: 1, throttles: 0 });
  });

  it('slows down after a 429: waits out the pause, then spaces calls at the cut rate', async () => {
    const { limiter, elapsed } = setup({ maxWaitMs: 10_000 });
    await limiter.acquire();
    await limiter.onThrottled();
    const t0 = elapsed();
    await limiter.acquire();
    await limiter.acquire();
    expect(elapsed() - t0).toBe(3000 + Math.ceil(1000 / 6.3));
    expect(limiter.state.rate).toBe(6.3);
  });

  it('refuses at once while a long Retry-After is pending', async () => {
    const { limiter } = setup();
    await limiter.onThrottled(30_000);
    await expect(limiter.acquire()).rejects.toMatchObject({ retryAfterMs: 30_000 });
  });

  it('rejects with the abort reason when the signal is already aborted', async () => {
    const { limiter } = setup();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(limiter.acquire({ signal: controller.signal })).rejects.toThrow('stop');
    expect(limiter.stats.acquires).toBe(0);
  });

  it('rejects an invalid per-call maxWaitMs', async () => {
    const { limiter } = setup();
    await expect(limiter.acquire({ maxWaitMs: -1 })).rejects.toThrow(
      'Expected `maxWaitMs` to be a number ≥ 0, got `-1`',
    );
  });

  it('validates its options up front', () => {
    expect(() => new InMemoryRateLimiter({ clock: new FakeClock(), limit: 0 })).toThrow(
      new ConfigError('Expected `limit` to be a number > 0, got `0`'),
    );
  });
});

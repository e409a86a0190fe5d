import { BackgroundQueue } from '../../../src/core/limiter/lanes';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { FakeClock } from '../../support/fake-clock';
import { InMemoryRateLimiter } from '../../support/in-memory-limiter';

/** A fake clock whose sleeps advance time only once `moving` is set (interactive callers book without waiting). */
class StepClock extends FakeClock {
  moving = false;
  override async sleep(ms: number, signal?: AbortSignal) {
    if (this.moving) await super.sleep(ms, signal);
  }
}

describe('limiter lanes', () => {
  it('lets a background acquire wait until interactive bookings are within 150 ms, then take the next slot', async () => {
    const clock = new StepClock();
    const limiter = new InMemoryRateLimiter({ slowStartFactor: 1, clock });
    const t0 = clock.now();
    // Interactive work books 10 slots: the timeline is ~1.1 s ahead.
    for (let i = 0; i < 10; i++) await limiter.acquireSlot();
    clock.moving = true;
    const slot = await limiter.acquireSlot({ lane: 'background', maxWaitMs: 2_000 });
    expect(slot.slotAt - t0).toBeCloseTo(10 * 111.112, 0);
  });

  it('gives up with LimiterWaitError when interactive work holds the timeline beyond the wait budget', async () => {
    const clock = new StepClock();
    const limiter = new InMemoryRateLimiter({ slowStartFactor: 1, clock, maxWaitMs: 5_000 });
    for (let i = 0; i < 30; i++) await limiter.acquireSlot(); // 3.3 s of interactive slots
    clock.moving = true;
    await expect(limiter.acquireSlot({ lane: 'background', maxWaitMs: 2_000 })).rejects.toBeInstanceOf(
      LimiterWaitError,
    );
  });

  it('takes 1 / backgroundShare slots per background call, so background alone runs at share × rate', async () => {
    const clock = new FakeClock();
    const limiter = new InMemoryRateLimiter({ slowStartFactor: 1, clock, backgroundShare: 0.5 });
    const t0 = clock.now();
    const slots: number[] = [];
    for (let i = 0; i < 10; i++) slots.push((await limiter.acquireSlot({ lane: 'background' })).slotAt - t0);
    expect(10_000 / (slots.at(-1) as number)).toBeCloseTo(4.5 * (10 / 9), 1); // 9 intervals of 222 ms
  });

  it('runs queued background tasks one at a time, even after one fails', async () => {
    const queue = new BackgroundQueue();
    const order: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        order.push(`${name} start`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      queue.run(task('a', true)),
      queue.run(task('b')),
      queue.run(task('c')),
    ]);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});

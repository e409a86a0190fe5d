import { ForeignTraffic } from '../../../src/simulator/foreign-traffic';
import { maxInAnyWindow, SlidingWindowLimiter } from '../../../src/simulator/rate-window';

describe('maxInAnyWindow', () => {
  it.each([
    [[], 0],
    [[5], 1],
    [[0, 100, 999, 1000], 3],
    [[0, 1000, 2000, 3000], 1],
    [[3000, 0, 2999, 2500, 10], 3],
    [[0, 0, 0, 999.5], 4],
  ])('counts %j as %i', (timestamps, expected) => {
    expect(maxInAnyWindow(timestamps)).toBe(expected);
  });

  it('honours another window length', () => {
    expect(maxInAnyWindow([0, 50, 100, 150], 100)).toBe(2);
  });

  it('does not reorder its input', () => {
    const input = [3, 1, 2];
    maxInAnyWindow(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('SlidingWindowLimiter', () => {
  it('admits 10 calls in a burst and refuses the 11th', () => {
    const limiter = new SlidingWindowLimiter(10);
    const results = Array.from({ length: 11 }, (_, i) => limiter.tryAcquire(i));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(results[10]).toBe(false);
  });

  it('frees a slot exactly 1000 ms after the call that took it', () => {
    const limiter = new SlidingWindowLimiter(2);
    expect(limiter.tryAcquire(0)).toBe(true);
    expect(limiter.tryAcquire(500)).toBe(true);
    expect(limiter.tryAcquire(999)).toBe(false);
    expect(limiter.tryAcquire(1000)).toBe(true);
    expect(limiter.tryAcquire(1499)).toBe(false);
    expect(limiter.tryAcquire(1500)).toBe(true);
  });

  it('does not let rejected calls take capacity', () => {
    const limiter = new SlidingWindowLimiter(1);
    limiter.tryAcquire(0);
    for (let t = 1; t < 1000; t += 10) limiter.tryAcquire(t);
    expect(limiter.tryAcquire(1000)).toBe(true);
  });

  it('admits everything at limit 0 but counts it when a limit is set later', () => {
    const limiter = new SlidingWindowLimiter(0);
    for (let i = 0; i < 50; i++) expect(limiter.tryAcquire(i)).toBe(true);
    limiter.setLimit(10);
    expect(limiter.tryAcquire(60)).toBe(false);
    expect(limiter.tryAcquire(1049)).toBe(true);
  });

  it('never admits more than the limit in any window over a long random run', () => {
    const limiter = new SlidingWindowLimiter(10);
    const accepted: number[] = [];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      t += (i * 7919) % 37;
      if (limiter.tryAcquire(t)) accepted.push(t);
    }
    expect(maxInAnyWindow(accepted)).toBe(10);
  });
});

describe('ForeignTraffic', () => {
  it('spaces calls evenly from the moment the rate was set', () => {
    const traffic = new ForeignTraffic(4, 1000);
    expect(traffic.due(1600)).toEqual([1250, 1500]);
    expect(traffic.due(1600)).toEqual([]);
    expect(traffic.due(2000)).toEqual([1750, 2000]);
  });

  it('produces nothing at rate 0 and restarts its schedule on a new rate', () => {
    const traffic = new ForeignTraffic(0, 0);
    expect(traffic.due(10_000)).toEqual([]);
    traffic.setRate(10, 10_000);
    expect(traffic.due(10_300)).toEqual([10_100, 10_200, 10_300]);
  });

  it('follows a schedule, switching rates at each boundary even when asked long after it', () => {
    const traffic = new ForeignTraffic(9, 0, { everyMs: 1000, rates: [2, 4, 0] });
    expect(traffic.due(2500)).toEqual([500, 1000, 1250, 1500, 1750, 2000]);
    expect(traffic.due(3600)).toEqual([3500]); // back to 2/s from 3 s on
  });
});

describe('SlidingWindowLimiter with another integration sharing the limit', () => {
  function run(foreignRate: number, ourGapMs: number, durationMs: number) {
    const limiter = new SlidingWindowLimiter(10);
    const foreign = new ForeignTraffic(foreignRate, 0);
    const ours: number[] = [];
    const theirs: number[] = [];
    let foreignRejected = 0;
    for (let t = 0; t <= durationMs; t += ourGapMs) {
      for (const at of foreign.due(t)) {
        if (limiter.tryAcquire(at)) theirs.push(at);
        else foreignRejected++;
      }
      if (limiter.tryAcquire(t, (end) => foreign.pendingBefore(end))) ours.push(t);
    }
    return { ours, theirs, foreignRejected, all: [...ours, ...theirs] };
  }

  it('leaves a client hammering every millisecond rate − foreignRate calls per second', () => {
    const { ours, theirs, foreignRejected, all } = run(8, 1, 5000);
    expect(foreignRejected).toBe(0);
    expect(theirs).toHaveLength(40);
    expect(maxInAnyWindow(all)).toBeLessThanOrEqual(10);
    expect(maxInAnyWindow(ours)).toBeLessThanOrEqual(3);
    expect(ours.length).toBeLessThanOrEqual(2 * 5 + 2);
  });

  it('gives the client the whole limit when no one else calls', () => {
    const { ours } = run(0, 1, 3000);
    expect(maxInAnyWindow(ours)).toBe(10);
  });

  it('rejects foreign calls that do not fit, when the foreign rate exceeds the limit', () => {
    const { foreignRejected, all } = run(15, 50, 3000);
    expect(foreignRejected).toBeGreaterThan(0);
    expect(maxInAnyWindow(all)).toBeLessThanOrEqual(10);
  });
});

import fc from 'fast-check';
import {
  intervalMs,
  type LimiterConfig,
  resolveLimiterConfig,
  safeCeiling,
} from '../../../src/core/limiter/config';
import {
  initialState,
  type LimiterState,
  onThrottled,
  reserve,
  settle,
} from '../../../src/core/limiter/gcra';

/** Most calls in any half-open 1000 ms window of true time (1 µs of float noise forgiven). */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] ?? 0) < (sorted[i] ?? 0) + 1000 - 1e-3) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

type Op = { who: number; gapMs: number; lagMs: number; throttle: null | { retryAfterMs?: number } };

/** Clock offsets within ±50 ms, biased to the extremes where the bound is tight. */
const offsetsArb = (minLength: number) =>
  fc.array(fc.oneof(fc.constantFrom(-50, 50), fc.integer({ min: -50, max: 50 })), {
    minLength,
    maxLength: 8,
  });

const opArb = fc.record({
  who: fc.nat({ max: 7 }),
  gapMs: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 400 })),
  // The clock is read a little before the write lands, so operations may apply out of clock order.
  lagMs: fc.integer({ min: 0, max: 30 }),
  throttle: fc.oneof(
    { weight: 12, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({}, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.record({ retryAfterMs: fc.integer({ min: 0, max: 5_000 }) }) },
  ),
});

/**
 * Runs the operations as DynamoDB would serialise them, each acquirer reading its own skewed
 * clock, and returns the true times at which granted calls go out.
 */
function simulate(config: LimiterConfig, offsets: number[], ops: Op[]) {
  let trueNow = 1_000_000;
  let state: LimiterState = initialState(trueNow + (offsets[0] ?? 0), config);
  const sent: number[] = [];
  const rates: number[] = [];
  for (const op of ops) {
    trueNow += op.gapMs;
    const offset = offsets[op.who % offsets.length] ?? 0;
    const now = trueNow - op.lagMs + offset;
    if (op.throttle) {
      state = onThrottled(state, now, config, op.throttle.retryAfterMs);
    } else {
      const r = reserve(state, now, config);
      if (r.granted) {
        state = r.state;
        sent.push(r.slotAt - offset);
      }
    }
    rates.push(state.rate);
  }
  return { sent, rates, state, trueNow };
}

describe('limiter under clock skew', () => {
  it.each([
    [9, 10],
    [9.5, 11],
  ])(
    'at ceiling %p/s, two acquirers 100 ms apart in clock can put at most %p calls in one second',
    (ceiling, most) => {
      const config = resolveLimiterConfig({ ceiling, maxWaitMs: 10_000, slowStartFactor: 1 });
      const T = 1_000_000;
      const slow = -50; // true = slot + 50
      const fast = +50; // true = slot − 50
      let state = initialState(T + slow, config);
      const first = reserve(state, T + slow, config);
      state = first.state;
      const sent = [first.slotAt - slow];
      for (let i = 0; i < 10; i++) {
        const r = reserve(state, T + fast, config);
        state = r.state;
        sent.push(r.slotAt - fast);
      }
      expect(maxPerSecond(sent)).toBe(most);
    },
  );

  it('never puts more than the limit in any second of true time, for any interleaving of skewed acquirers and 429s', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).chain((limit) =>
          fc.record({
            limit: fc.constant(limit),
            burst: fc.integer({ min: 1, max: Math.min(3, limit) }),
            share: fc.oneof(fc.constant(1), fc.double({ min: 0.2, max: 1, noNaN: true })),
          }),
        ),
        offsetsArb(1),
        fc.array(opArb, { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        ({ limit, burst, share }, offsets, ops, r) => {
          // The ceiling that tolerates ±50 ms per clock, i.e. 100 ms between two clocks.
          const ceiling = safeCeiling(limit, 100, burst) * share;
          const config = resolveLimiterConfig({
            limit,
            burst,
            ceiling,
            floor: Math.min(0.5, ceiling),
            random: () => r,
          });
          const { sent, rates } = simulate(config, offsets, ops);
          expect(maxPerSecond(sent)).toBeLessThanOrEqual(limit);
          for (const rate of rates) {
            expect(rate).toBeLessThanOrEqual(config.ceiling);
            expect(rate).toBeGreaterThanOrEqual(config.floor);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds the default 9/s ceiling under Jama’s 10/s with ±50 ms clocks', () => {
    const config = resolveLimiterConfig({ random: () => 0.5 });
    fc.assert(
      fc.property(offsetsArb(2), fc.array(opArb, { minLength: 50, maxLength: 400 }), (offsets, ops) => {
        expect(maxPerSecond(simulate(config, offsets, ops).sent)).toBeLessThanOrEqual(10);
      }),
      { numRuns: 300 },
    );
  });

  it('recovers to the ceiling once 429s stop', () => {
    fc.assert(
      fc.property(
        offsetsArb(1),
        fc.array(opArb, { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (offsets, ops, r) => {
          const config = resolveLimiterConfig({ random: () => r, maxWaitMs: Number.MAX_SAFE_INTEGER });
          const { state } = simulate(config, offsets, ops);
          // Longest road back: the rate holds under the knee until it is forgotten, `kneeTtlMs` after
          // the last 429 (and not before the pause has ended); from then on, from the floor at worst,
          // at least one regain step per clean period, plus a period or two of alignment.
          const { ceiling, floor, regainStep, kneeTtlMs } = config;
          const forgetAt = (state.lastThrottleAt ?? 0) + kneeTtlMs;
          const periods = Math.ceil((ceiling - floor) / regainStep) + 2;
          const bound =
            Math.max(state.tat, state.cleanSince, forgetAt) + (periods + 1) * config.cleanPeriodMs;
          expect(settle(state, bound, config).rate).toBe(config.ceiling);

          // With callers waiting all along, the slots end up spaced at the ceiling again.
          let s = state;
          let now = s.tat;
          const slots: number[] = [];
          while (now < bound + 2_000) {
            const res = reserve(s, now, config);
            s = res.state;
            slots.push(res.slotAt);
            now = res.slotAt;
          }
          const [a = 0, b = 0] = slots.slice(-2);
          expect(b - a).toBeCloseTo(intervalMs(config.ceiling), 3);
        },
      ),
      { numRuns: 200 },
    );
  });
});

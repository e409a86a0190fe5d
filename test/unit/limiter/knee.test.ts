import fc from 'fast-check';
import {
  bookingHorizonMs,
  initialState,
  type LimiterState,
  onThrottled,
  regain,
  reserve,
  settle,
} from '../../../src/core/gcra';
import { resolveLimiterConfig } from '../../../src/core/limiter-config';

const T0 = Date.UTC(2026, 0, 1);
const config = resolveLimiterConfig({ random: () => 0.5, maxWaitMs: 120_000 });

/** A 429 at 9/s, then another right after the 3 s pause, at 6.3/s: cut to 4.41/s, knee 6.3/s. */
function twoCuts(): LimiterState {
  const first = onThrottled(initialState(T0, config), T0, config);
  return onThrottled(first, T0 + 3_100, config);
}

describe('the knee: the rate that drew the last cut', () => {
  it('is remembered by a cut, kept by its echoes, and replaced by the next cut', () => {
    let state = onThrottled(initialState(T0, config), T0, config);
    expect(state).toMatchObject({ rate: 6.3, knee: 9 });
    state = onThrottled(state, T0 + 500, config);
    expect(state).toMatchObject({ rate: 6.3, knee: 9 });
    expect(twoCuts()).toMatchObject({ rate: 4.41, knee: 6.3, streak: 2, cleanSince: T0 + 8_100 });
  });

  it.each([
    [0, 4.41, 6.3],
    [1, 4.91, 6.3],
    [2, 5.41, 6.3],
    [3, 5.67, 6.3], // quick regain stops at 0.9 × 6.3
    [4, 5.795, 6.3], // then a quarter step per clean period
    [5, 5.92, 6.3],
    [8, 6.295, 6.3],
    [9, 6.42, 6.3], // above the knee …
    [10, 6.92, null], // … for a whole clean period: forgotten, quick again
    [14, 8.92, null],
    [15, 9, null],
  ])('after %p clean periods the rate is %p/s and the knee %p', (periods, rate, knee) => {
    const cut = twoCuts();
    expect(settle(cut, cut.cleanSince + periods * 10_000, config)).toMatchObject({ rate, knee });
  });

  it('climbs from a cut at the ceiling quickly to 8.1/s, then slowly, and forgets the knee at the ceiling', () => {
    const cut = onThrottled(initialState(T0, config), T0, config);
    const rates = [3, 4, 5, 11, 12].map((p) => settle(cut, cut.cleanSince + p * 10_000, config).rate);
    expect(rates).toEqual([7.8, 8.1, 8.225, 8.975, 9]);
    expect(settle(cut, cut.cleanSince + 12 * 10_000, config).knee).toBeNull();
  });

  it('settles under the rate a probe overshot with: a 429 in the slow band lowers the knee', () => {
    const cut = twoCuts();
    const probing = settle(cut, cut.cleanSince + 5 * 10_000, config);
    const again = onThrottled(probing, probing.cleanSince + 1_000, config);
    expect(again).toMatchObject({ rate: 4.144, knee: 5.92, streak: 1 });
    expect(settle(again, again.cleanSince + 3 * 10_000, config).rate).toBe(5.328);
  });

  it('applies all the periods of a long idle spell at once, knee forgotten', () => {
    const cut = twoCuts();
    expect(settle(cut, cut.cleanSince + 3_600_000, config)).toMatchObject({ rate: 9, knee: null, streak: 0 });
    expect(regain(0.5, 0.7, 1_000, config)).toEqual({ rate: 9, knee: null });
  });

  it.each([
    [{ kneeMargin: 1 }, 5, [4.91, 5.41, 5.91, 6.3, 6.425]],
    [{ probeStep: 0.5 }, 5, [4.91, 5.41, 5.67, 6.17, 6.67]],
    [{ regainStep: 1 }, 4, [5.41, 5.67, 5.92, 6.17]],
  ])('follows the options %p', (options, periods, expected) => {
    const c = resolveLimiterConfig({ ...options, random: () => 0.5 });
    const rates = Array.from({ length: periods }, (_, i) => regain(4.41, 6.3, i + 1, c).rate);
    expect(rates).toEqual(expected);
  });

  it('gives the same rate whether periods are applied in one go or in pieces (acquirers settle lazily)', () => {
    const rate = fc.integer({ min: 500, max: 9_000 }).map((n) => n / 1000);
    fc.assert(
      fc.property(
        rate,
        fc.option(rate),
        fc.nat({ max: 40 }),
        fc.nat({ max: 40 }),
        fc.constantFrom({}, { regainStep: 0.3, probeStep: 0.07 }, { kneeMargin: 0.97 }),
        (r, knee, a, b, options) => {
          const c = resolveLimiterConfig(options);
          const first = regain(r, knee, a, c);
          expect(regain(first.rate, first.knee, b, c)).toEqual(regain(r, knee, a + b, c));
        },
      ),
    );
  });

  it('returns the state itself when no period has passed', () => {
    const cut = twoCuts();
    expect(settle(cut, cut.cleanSince + 9_999, config)).toBe(cut);
  });
});

describe('booking right after a pause', () => {
  const cut = onThrottled(initialState(T0, config), T0, config); // pause until T0 + 3000

  it('lets a caller willing to wait out the pause book its first slot', () => {
    expect(reserve(cut, T0 + 100, config, 5_000)).toMatchObject({ granted: true, slotAt: T0 + 3_000 });
  });

  it('books no more than 1 s past the end of the pause, whatever maxWaitMs allows', () => {
    let state = cut;
    const slots: number[] = [];
    for (;;) {
      const r = reserve(state, T0 + 100, config, 10_000);
      if (!r.granted) break;
      slots.push(r.slotAt - T0);
      state = r.state;
    }
    // 6.3/s: 3000, 3158.731, … up to 4000 ms.
    expect(slots).toHaveLength(7);
    expect(slots.at(-1)).toBeLessThanOrEqual(4_000);
    expect(bookingHorizonMs(state, T0 + 100, config, 10_000)).toBe(3_900);
  });

  it('books up to 1 s ahead in the first 3 s after the pause, then as far as maxWaitMs allows', () => {
    expect(bookingHorizonMs(cut, T0 + 3_000, config, 2_000)).toBe(1_000);
    expect(bookingHorizonMs(cut, T0 + 5_999, config, 2_000)).toBe(1_000);
    expect(bookingHorizonMs(cut, T0 + 6_000, config, 2_000)).toBe(2_000);
    expect(bookingHorizonMs(cut, T0 + 3_000, config, 500)).toBe(500);
  });

  it('does not limit booking when no cut is pending', () => {
    const fresh = initialState(T0, config);
    expect(bookingHorizonMs(fresh, T0, config, 2_000)).toBe(2_000);
    const recovered = settle(cut, T0 + 13_000, config);
    expect(recovered.streak).toBe(0);
    expect(bookingHorizonMs(recovered, T0 + 13_000, config, 2_000)).toBe(2_000);
  });
});

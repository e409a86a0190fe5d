import fc from 'fast-check';
import { resolveLimiterConfig } from '../../../src/core/limiter/config';
import {
  bookingHorizonMs,
  initialState,
  kneePeriodsLeft,
  type LimiterState,
  onThrottled,
  regain,
  reserve,
  settle,
} from '../../../src/core/limiter/gcra';

const T0 = Date.UTC(2026, 0, 1);
const config = resolveLimiterConfig({ random: () => 0.5, maxWaitMs: 120_000, slowStartFactor: 1 });

/** A 429 at 9/s, then another right after the 3 s pause, at 6.3/s: cut to 4.41/s, knee 6.3/s. */
function twoCuts(): LimiterState {
  const first = onThrottled(initialState(T0, config), T0, config);
  return onThrottled(first, T0 + 3_100, config);
}

/** Takes `n` slots at the state's rate from `from` on; `lastSlot` is the last one's moment. */
function take(state: LimiterState, from: number, n: number): { state: LimiterState; lastSlot: number } {
  let lastSlot = from;
  for (let i = 0; i < n; i++) {
    const r = reserve(state, Math.max(from, state.tat), config);
    state = r.state;
    lastSlot = r.slotAt;
  }
  return { state, lastSlot };
}

/** Cut at 9/s, resumed at 6.3/s after the pause, 3 slots taken and the 4th refused: knee 3 found. */
function foundAfterResume(c: typeof config): LimiterState {
  const resumed = onThrottled(initialState(T0, c), T0, c);
  const { state, lastSlot } = take(resumed, resumed.cleanSince, 4);
  return onThrottled(state, lastSlot + 200, c, undefined, lastSlot + 5);
}

describe('the knee: the rate that drew the last cut', () => {
  it('is remembered by a cut, kept by its echoes, and replaced by the next cut', () => {
    let state = onThrottled(initialState(T0, config), T0, config);
    expect(state).toMatchObject({ rate: 6.3, knee: 9 });
    state = onThrottled(state, T0 + 500, config);
    expect(state).toMatchObject({ rate: 6.3, knee: 9 });
    expect(twoCuts()).toMatchObject({ rate: 4.41, knee: 6.3, streak: 2, cleanSince: T0 + 8_100 });
  });

  // The second cut was at T0 + 3.1 s and its pause ended at 8.1 s: the knee is remembered until
  // 63.1 s, that is for 27 clean periods of 2 s.
  it.each([
    [0, 4.41, 6.3],
    [1, 4.91, 6.3], // + 0.5/s per clean 2 s …
    [3, 5.67, 6.3], // … up to 0.9 × knee
    [4, 5.67, 6.3], // then held there: a probe into the band would cost a 3 s pause for ≤ 10 % more
    [26, 5.67, 6.3],
    [27, 5.67, null], // 60 s after the cut the knee is forgotten …
    [28, 7.088, null], // … and the rate grows × 1.25 per period
    [30, 9, null],
  ])('after %p clean periods the rate is %p/s and the knee %p', (periods, rate, knee) => {
    const cut = twoCuts();
    expect(kneePeriodsLeft(cut, config)).toBe(27);
    expect(settle(cut, cut.cleanSince + periods * 2_000, config)).toMatchObject({ rate, knee });
  });

  it('forgets the knee kneeTtlMs after the cut, however far the rate is below it', () => {
    const short = resolveLimiterConfig({ kneeTtlMs: 10_000, random: () => 0.5 });
    const cut = onThrottled(onThrottled(initialState(T0, short), T0, short), T0 + 3_100, short);
    expect(kneePeriodsLeft(cut, short)).toBe(2);
    const rates = [1, 2, 3].map((p) => settle(cut, cut.cleanSince + p * 2_000, short));
    expect(rates.map((r) => r.rate)).toEqual([4.91, 5.41, 6.763]);
    expect(rates.map((r) => r.knee)).toEqual([6.3, null, null]);
  });

  it.each([
    // A fresh limiter at 9/s: 3 slots taken, the 4th refused — the window had room for 3/s.
    ['a fresh limiter', () => initialState(T0, config), T0, 3, { rate: 2.7, knee: 3 }],
    // Resumed at 6.3/s after the first cut's pause (T0 + 3 s): 2 slots, the 3rd refused.
    [
      'a resumed timeline',
      () => onThrottled(initialState(T0, config), T0, config),
      T0 + 3_000,
      2,
      { rate: 1.8, knee: 2 },
    ],
  ])('cuts straight to 0.9 × the room a 429 found within 1 s of %s', (_, before, from, room, expected) => {
    const state = before();
    const { state: busy, lastSlot } = take(state, from, room + 1);
    expect(onThrottled(busy, lastSlot + 200, config, undefined, lastSlot + 5)).toMatchObject({
      ...expected,
      kneeFound: true,
      streak: state.streak + 1,
    });
  });

  it('counts the room from when the timeline became busy again after an idle spell', () => {
    const idle = initialState(T0, config);
    // Nobody called for 10 s; the first reservation finds the timeline idle and marks it busy from now.
    const r = reserve(idle, T0 + 10_000, config);
    expect(r.state).toMatchObject({ busySince: T0 + 10_000, grants: 1 });
    // Reservations that follow on a busy timeline keep the mark and are counted.
    expect(reserve(r.state, T0 + 10_050, config).state).toMatchObject({ busySince: T0 + 10_000, grants: 2 });
    // Five slots at 9/s, then a sixth refused: the window had room for 5/s, not for 9 × 10.5 s.
    let state = r.state;
    for (let i = 1; i < 6; i++) state = reserve(state, T0 + 10_000 + i * 111.2, config).state;
    expect(onThrottled(state, T0 + 10_800, config, undefined, T0 + 10_560)).toMatchObject({
      rate: 4.5,
      knee: 5,
      kneeFound: true,
      foundAt: T0 + 10_560,
    });
  });

  it('counts the slots taken, however unevenly, not the time they span', () => {
    // Work ramping up leaves gaps shorter than a slot: 6 slots in 800 ms at 9/s, where 7.2 would fit.
    let state = initialState(T0, config);
    for (const at of [0, 210, 330, 450, 560, 680, 800]) state = reserve(state, T0 + at, config).state;
    expect(state).toMatchObject({ busySince: T0, grants: 7 });
    // The 7th slot was refused; two more were booked after it before its answer came.
    state = reserve(state, T0 + 900, config).state;
    state = reserve(state, T0 + 900, config).state;
    expect(onThrottled(state, T0 + 1_000, config, undefined, T0 + 805)).toMatchObject({ knee: 6, rate: 5.4 });
  });

  it('counts the slots booked after the refused call at the slow start’s spacing', () => {
    const slow = resolveLimiterConfig({ random: () => 0.5, maxWaitMs: 120_000 });
    // 12 calls asked for at once: slots 138.9 ms apart (0.8 × 9/s) in the slow start.
    let state = initialState(T0, slow);
    for (let i = 0; i < 12; i++) state = reserve(state, T0, slow).state;
    expect(state.tat - T0).toBeCloseTo(12 * 138.889, 1);
    // The 8th call (slot 972 ms) was refused: 7 went before it, 4 were booked after it.
    expect(onThrottled(state, T0 + 1_200, slow, undefined, T0 + 973)).toMatchObject({ knee: 7, rate: 6.3 });
    // Counted at the plain spacing, 6 would seem booked after it, and the knee 5.
  });

  it('lowers a counted knee by one for each echo of a call sent in the second before the counted one', () => {
    let state = initialState(T0, config);
    for (let i = 0; i < 8; i++) state = reserve(state, T0 + i * 111.2, config).state;
    // The 8th call's 429 comes first and counts 7; the 7th call's 429 arrives after it.
    const cut = onThrottled(state, T0 + 950, config, undefined, T0 + 780);
    expect(cut).toMatchObject({ knee: 7, rate: 6.3 });
    const echo = onThrottled(cut, T0 + 1_000, config, undefined, T0 + 670);
    expect(echo).toMatchObject({ knee: 6, rate: 5.4, streak: cut.streak });
    // An echo of a call sent after the counted one was not counted: nothing to take back.
    expect(onThrottled(cut, T0 + 1_000, config, undefined, T0 + 890)).toMatchObject({ knee: 7, rate: 6.3 });
  });

  it('restarts the count at the end of a cut pause', () => {
    let state = initialState(T0, config);
    for (let i = 0; i < 8; i++) state = reserve(state, T0 + i * 111.2, config).state;
    const cut = onThrottled(state, T0 + 950, config, undefined, T0 + 780);
    expect(cut).toMatchObject({ busySince: cut.cleanSince, grants: 0 });
  });

  it('holds under a knee the 429 found until it is forgotten, then grows again', () => {
    const found = foundAfterResume(config);
    expect(found).toMatchObject({ rate: 2.7, knee: 3, kneeFound: true });
    const later = [1, 10, 25].map((p) => settle(found, found.cleanSince + p * 2_000, config));
    expect(later.map((s) => s.rate)).toEqual([2.7, 2.7, 2.7]);
    // 60 s after the 429 the knee and its mark are gone, and the rate grows × 1.25 (at least + 0.5) per period.
    const forgotten = settle(found, (found.lastThrottleAt ?? 0) + 62_000, config);
    expect(forgotten).toMatchObject({ knee: null, kneeFound: false });
    expect(forgotten.rate).toBeGreaterThan(2.7);
  });

  it('probes with a given probe step only under a knee that bounds the room, never under one it found', () => {
    const probing = resolveLimiterConfig({ probeStep: 0.05, random: () => 0.5 });
    const bound = onThrottled(onThrottled(initialState(T0, probing), T0, probing), T0 + 3_100, probing);
    expect(settle(bound, bound.cleanSince + 5 * 2_000, probing).rate).toBe(5.77); // 5.67, then + 0.05 × 2
    const found = foundAfterResume(probing);
    expect(settle(found, found.cleanSince + 5 * 2_000, probing).rate).toBe(2.7);
  });

  it('cuts × 0.7 from the rate when the 429 says nothing about the room left', () => {
    const resumed = onThrottled(initialState(T0, config), T0, config); // 6.3/s from T0 + 3 s
    // Sent 1 s or more after the resume: the window held only our own steady pace.
    const { state: busy, lastSlot } = take(resumed, T0 + 3_000, 9);
    expect(lastSlot).toBeGreaterThan(T0 + 4_000);
    expect(onThrottled(busy, lastSlot + 300, config, undefined, lastSlot + 5)).toMatchObject({
      rate: 4.41,
      knee: 6.3,
      kneeFound: false,
    });
    // Nothing counted (an item written before `grants` existed), or none of ours in the window.
    expect(onThrottled({ ...busy, grants: 0 }, T0 + 3_400, config, undefined, T0 + 3_200)).toMatchObject({
      rate: 4.41,
      kneeFound: false,
    });
    const first = take(resumed, T0 + 3_000, 1);
    expect(onThrottled(first.state, T0 + 3_300, config, undefined, T0 + 3_005)).toMatchObject({
      rate: 4.41,
      kneeFound: false,
    });
  });

  it('forgets the knee after a whole period above it', () => {
    const c = resolveLimiterConfig({ probeStep: 0.5, random: () => 0.5 });
    const rates = [1, 2, 3, 4, 5, 6].map((p) => regain(4.41, 6.3, p, c));
    expect(rates.map((r) => r.rate)).toEqual([4.91, 5.41, 5.67, 6.17, 6.67, 8.338]);
    expect(rates.map((r) => r.knee)).toEqual([6.3, 6.3, 6.3, 6.3, 6.3, null]);
  });

  it('settles under the rate a probe overshot with: a 429 in the band lowers the knee', () => {
    const cut = twoCuts();
    const probing = settle(cut, cut.cleanSince + 3 * 2_000, config);
    const again = onThrottled(probing, probing.cleanSince + 1_000, config);
    expect(again).toMatchObject({ rate: 3.969, knee: 5.67, streak: 1 });
    expect(settle(again, again.cleanSince + 2_000, config).rate).toBe(4.469);
  });

  it('applies all the periods of a long idle spell at once, knee forgotten', () => {
    const cut = twoCuts();
    expect(settle(cut, cut.cleanSince + 3_600_000, config)).toMatchObject({ rate: 9, knee: null, streak: 0 });
    expect(regain(0.5, 0.7, 1_000_000, config)).toEqual({ rate: 9, knee: null });
  });

  it('gives the same rate whether periods are applied in one go or in pieces (acquirers settle lazily)', () => {
    const rate = fc.integer({ min: 500, max: 9_000 }).map((n) => n / 1000);
    fc.assert(
      fc.property(
        rate,
        fc.option(rate),
        fc.nat({ max: 40 }),
        fc.nat({ max: 40 }),
        fc.nat({ max: 60 }),
        fc.constantFrom({}, { regainStep: 0.3, probeStep: 0.07 }, { kneeMargin: 0.97, regainFactor: 1 }),
        (r, knee, a, b, kneeLeft, options) => {
          const c = resolveLimiterConfig(options);
          const first = regain(r, knee, a, c, kneeLeft);
          expect(regain(first.rate, first.knee, b, c, kneeLeft - a)).toEqual(
            regain(r, knee, a + b, c, kneeLeft),
          );
        },
      ),
    );
  });

  it('returns the state itself when no period has passed', () => {
    const cut = twoCuts();
    expect(settle(cut, cut.cleanSince + 1_999, config)).toBe(cut);
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
    const recovered = settle(cut, T0 + 5_000, config);
    expect(recovered.streak).toBe(0);
    expect(bookingHorizonMs(recovered, T0 + 5_000, config, 2_000)).toBe(2_000);
  });
});

describe('lanes', () => {
  const fresh = initialState(T0, config);

  it('lets interactive work book up to maxWaitMs ahead, background work only 150 ms', () => {
    const ahead = { ...fresh, tat: T0 + 400 };
    expect(reserve(ahead, T0, config, 2_000, 'interactive')).toMatchObject({ granted: true, waitMs: 400 });
    expect(reserve(ahead, T0, config, 2_000, 'background')).toMatchObject({ granted: false, waitMs: 400 });
    expect(reserve({ ...fresh, tat: T0 + 150 }, T0, config, 2_000, 'background').granted).toBe(true);
    expect(reserve({ ...fresh, tat: T0 + 151 }, T0, config, 2_000, 'background').granted).toBe(false);
  });

  it('charges a background call 1 / backgroundShare slots', () => {
    const half = resolveLimiterConfig({ backgroundShare: 0.5, slowStartFactor: 1 });
    expect(reserve(fresh, T0, half, 2_000, 'background').state.tat).toBe(T0 + 222.223);
    expect(reserve(fresh, T0, half, 2_000, 'interactive').state.tat).toBe(T0 + 111.112);
  });
});

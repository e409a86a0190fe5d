import { type LimiterOptions, resolveLimiterConfig } from '../../../src/core/limiter/config';
import {
  initialState,
  type LimiterState,
  onThrottled,
  reserve,
  settle,
} from '../../../src/core/limiter/gcra';

const T0 = Date.UTC(2026, 0, 1);

/** Reserves `n` slots all asked for at `now`, returning the slots and the final state. */
function reserveMany(state: LimiterState, now: number, n: number, options: LimiterOptions = {}) {
  const config = resolveLimiterConfig({
    maxWaitMs: 60_000,
    random: () => 0.5,
    slowStartFactor: 1,
    ...options,
  });
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = reserve(state, now, config);
    if (!r.granted) throw new Error(`refused after ${i}`);
    slots.push(Math.round((r.slotAt - now) * 1000) / 1000);
    state = r.state;
  }
  return { slots, state };
}

describe('limiter arithmetic (GCRA)', () => {
  it('spaces calls 100 ms apart at 10/s', () => {
    const config = resolveLimiterConfig({ ceiling: 10 });
    const { slots } = reserveMany(initialState(T0, config), T0, 5, { ceiling: 10 });
    expect(slots).toEqual([0, 100, 200, 300, 400]);
  });

  it('spaces calls 111.112 ms apart at the default 9/s ceiling', () => {
    const { slots } = reserveMany(initialState(T0, resolveLimiterConfig()), T0, 3);
    expect(slots).toEqual([0, 111.112, 222.224]);
  });

  it.each([
    [1, [0, 100, 200, 300, 400]],
    [3, [0, 0, 0, 100, 200]],
  ])(
    'with burst %p, lets that many calls go back to back after an idle spell, then spaces the rest',
    (burst, expected) => {
      const config = resolveLimiterConfig({ ceiling: 10, burst });
      const { slots } = reserveMany(initialState(T0 - 60_000, config), T0, 5, { ceiling: 10, burst });
      expect(slots).toEqual(expected);
    },
  );

  it('does not bank idle time beyond the burst', () => {
    const config = resolveLimiterConfig({ ceiling: 10 });
    const idle = reserveMany(initialState(T0, config), T0, 1, { ceiling: 10 }).state;
    const { slots } = reserveMany(idle, T0 + 10_000, 3, { ceiling: 10 });
    expect(slots).toEqual([0, 100, 200]);
  });

  it('refuses a slot further than maxWaitMs, leaves the state unchanged and says when to come back', () => {
    const config = resolveLimiterConfig({ ceiling: 10, maxWaitMs: 300, slowStartFactor: 1 });
    let state = initialState(T0, config);
    for (let i = 0; i < 3; i++) state = reserve(state, T0, config).state;
    const ok = reserve(state, T0, config);
    expect(ok).toMatchObject({ granted: true, waitMs: 300 });
    const refused = reserve(ok.state, T0, config);
    expect(refused).toMatchObject({ granted: false, waitMs: 400 });
    expect(refused.state).toBe(ok.state);
    expect(reserve(ok.state, T0, config, 400)).toMatchObject({ granted: true, waitMs: 400 });
  });
});

describe('slow start', () => {
  const config = resolveLimiterConfig({ ceiling: 10, maxWaitMs: 60_000, random: () => 0.5 });

  it('spaces the first 2 s of a busy spell at 0.8 × the rate, then at the rate', () => {
    let state = initialState(T0, config);
    const slots: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = reserve(state, T0, config);
      state = r.state;
      slots.push(Math.round(r.slotAt - T0));
    }
    // 125 ms apart while the slot is before T0 + 2 s (0 … 1875), then 100 ms.
    expect(slots.slice(0, 4)).toEqual([0, 125, 250, 375]);
    expect(slots.slice(15, 20)).toEqual([1875, 2000, 2100, 2200, 2300]);
  });

  it('starts again after a second with no slot of ours, and not after a cut', () => {
    let state = initialState(T0, config);
    for (let i = 0; i < 30; i++) state = reserve(state, T0, config).state;
    // The timeline is 3.1 s ahead; 2.5 s after it ran out, a new spell starts slow.
    const idle = reserve(state, T0 + 5_600, config);
    expect(idle.state.busySince).toBe(T0 + 5_600);
    expect(idle.state.tat - idle.slotAt).toBe(125);
    // A cut's pause ends a spell too, but what follows is its own resume (the room a 429 counts
    // there must not shrink): spaced at the cut rate.
    const cut = onThrottled(idle.state, T0 + 5_700, config, 3000);
    const resumed = reserve(cut, T0 + 8_700, config);
    expect(resumed.state.tat - resumed.slotAt).toBeCloseTo(1000 / cut.rate, 2);
  });
});

describe('adaptive rate', () => {
  const options = { random: () => 0.5, maxWaitMs: 120_000 } as const;
  const config = resolveLimiterConfig(options);

  it('cuts the rate by 30% on a 429 and pauses for the first backoff step (3 s)', () => {
    const next = onThrottled(initialState(T0, config), T0, config);
    expect(next).toMatchObject({ rate: 6.3, tat: T0 + 3000, streak: 1, lastThrottleAt: T0, knee: 9 });
    const r = reserve(next, T0, config);
    expect(r.waitMs).toBe(3000);
    expect(reserve(r.state, T0, config).waitMs).toBeCloseTo(3000 + 1000 / 6.3, 2);
  });

  it('honours Retry-After instead of the backoff step', () => {
    const next = onThrottled(initialState(T0, config), T0, config, 7_500);
    expect(next.tat).toBe(T0 + 7_500);
    expect(next.rate).toBe(6.3);
  });

  it('cuts only once for a burst of 429s from calls already in flight', () => {
    let state = initialState(T0, config);
    for (const at of [0, 40, 90, 300, 950]) state = onThrottled(state, T0 + at, config);
    expect(state).toMatchObject({ rate: 6.3, streak: 1, tat: T0 + 3000, lastThrottleAt: T0 + 950 });
  });

  it('still honours a longer Retry-After given during the hold', () => {
    let state = onThrottled(initialState(T0, config), T0, config);
    state = onThrottled(state, T0 + 200, config, 5_000);
    expect(state).toMatchObject({ rate: 6.3, tat: T0 + 5_200 });
  });

  it('cuts again, with the next backoff step, when 429s go on after the pause', () => {
    let state = onThrottled(initialState(T0, config), T0, config);
    state = onThrottled(state, T0 + 3_100, config);
    expect(state).toMatchObject({ rate: 4.41, streak: 2, tat: T0 + 3_100 + 5_000 });
    state = onThrottled(state, T0 + 8_200, config);
    expect(state).toMatchObject({ rate: 3.087, streak: 3, tat: T0 + 8_200 + 8_000 });
  });

  it('never cuts below the floor', () => {
    let state = initialState(T0, config);
    // Each 429 lands right as the previous hold ends: the 429s never stop, so no clean period passes.
    for (let i = 0; i < 20; i++) state = onThrottled(state, state.holdUntil, config);
    expect(state.rate).toBe(0.5);
  });

  it.each([
    [0, 6.3],
    [1_999, 6.3],
    [2_000, 7.875],
    [3_999, 7.875],
    [4_000, 9],
    [600_000, 9],
  ])(
    'without a knee, regains × 1.25 (at least 0.5/s) per clean 2 s after the pause ends, up to the ceiling: +%p ms → %p/s',
    (after, rate) => {
      // A state written before the knee existed (see knee.test.ts for regain with one).
      const cut = { ...onThrottled(initialState(T0, config), T0, config), knee: null };
      const resumed = T0 + 3000;
      expect(settle(cut, resumed + after, config).rate).toBe(rate);
      expect(reserve(cut, resumed + after, config).state.rate).toBe(rate);
    },
  );

  it('restarts the clean period on every 429, even an echo', () => {
    let state = onThrottled(initialState(T0, config), T0, config, 0);
    state = onThrottled(state, T0 + 900, config);
    expect(state.rate).toBe(6.3);
    // The cut had Retry-After 0, so its clean period began at once; the echo restarted it at 900 ms.
    expect(settle(state, T0 + 2_899, config).rate).toBe(6.3);
    // One clean period later the rate has regained one step (towards 0.9 × the knee of 9).
    expect(settle(state, T0 + 2_900, config).rate).toBe(6.8);
  });

  it('resets the backoff step after a clean period', () => {
    let state = onThrottled(initialState(T0, config), T0, config);
    state = onThrottled(state, T0 + 3_000 + 2_000, config);
    expect(state.streak).toBe(1);
    expect(state.tat).toBe(T0 + 5_000 + 3_000);
  });

  it('applies a lowered ceiling at once', () => {
    const lowered = resolveLimiterConfig({ ...options, ceiling: 5 });
    expect(settle(initialState(T0, config), T0, lowered)).toMatchObject({ rate: 5, ceiling: 5 });
  });

  it.each([Number.NaN, -5, Number.POSITIVE_INFINITY])('treats Retry-After %p as absent', (retryAfter) => {
    expect(onThrottled(initialState(T0, config), T0, config, retryAfter).tat).toBe(T0 + 3000);
  });
});

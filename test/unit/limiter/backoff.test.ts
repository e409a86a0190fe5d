import fc from 'fast-check';
import { backoffDelayMs, backoffScheduleMs } from '../../../src/core/backoff';

describe('backoff schedule', () => {
  it('follows 3, 5, 8, 13, 21, 34, 55 s (each step the sum of the two before)', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(backoffScheduleMs)).toEqual([
      3_000, 5_000, 8_000, 13_000, 21_000, 34_000, 55_000,
    ]);
  });

  it.each([-1, 0.5, Number.NaN])('rejects attempt %p with a precise message', (attempt) => {
    expect(() => backoffScheduleMs(attempt)).toThrow(
      `Expected \`attempt\` to be an integer ≥ 0, got \`${attempt}\``,
    );
  });

  it.each([
    [0, 0.5, 3_000],
    [0, 0, 2_400],
    [0, 0.999_999_99, 3_600],
    [3, 0.5, 13_000],
    [5, 0, 27_200],
  ])('attempt %p with random %p waits %p ms', (attempt, r, expected) => {
    expect(backoffDelayMs(attempt, { random: () => r })).toBe(expected);
  });

  it('stays within ±20% of the step and never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (attempt, r, capMs) => {
          const delay = backoffDelayMs(attempt, { capMs, random: () => r });
          const step = Math.min(capMs, backoffScheduleMs(attempt));
          expect(delay).toBeLessThanOrEqual(capMs);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.ceil(step * 1.2));
        },
      ),
    );
  });

  it('caps at 15 minutes by default and still spreads callers below it', () => {
    expect(backoffDelayMs(30, { random: () => 0.999 })).toBe(900_000);
    expect(backoffDelayMs(30, { random: () => 0 })).toBe(720_000);
  });

  it('applies no jitter when asked for none', () => {
    expect(backoffDelayMs(2, { jitter: 0, random: () => 0 })).toBe(8_000);
  });

  it.each([
    [{ capMs: -1 }, 'Expected `capMs` to be a number ≥ 0, got `-1`'],
    [{ jitter: 1 }, 'Expected `jitter` to be a number in [0, 1), got `1`'],
  ])('rejects %p', (options, message) => {
    expect(() => backoffDelayMs(0, options)).toThrow(message);
  });
});

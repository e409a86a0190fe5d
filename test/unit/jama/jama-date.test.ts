import fc from 'fast-check';
import { formatJamaDate, parseJamaDate } from '../../../src/core/jama-date';
import { JamaDateError } from '../../../src/core/jama-errors';

const utc = (iso: string) =>
  Date.UTC(
    Number(iso.slice(0, 4)),
    Number(iso.slice(5, 7)) - 1,
    Number(iso.slice(8, 10)),
    Number(iso.slice(11, 13)),
    Number(iso.slice(14, 16)),
    Number(iso.slice(17, 19)),
    Number(iso.slice(20, 23) || 0),
  );

describe('parseJamaDate', () => {
  it.each([
    ['2021-04-23T19:56:56.000+0000', '2021-04-23T19:56:56.000'],
    ['2021-04-23T19:56:56.123+0000', '2021-04-23T19:56:56.123'],
    ['2021-04-23T19:56:56.000Z', '2021-04-23T19:56:56.000'],
    ['2021-04-23T19:56:56Z', '2021-04-23T19:56:56.000'],
    ['2021-04-23T19:56:56.000+00:00', '2021-04-23T19:56:56.000'],
    ['2021-04-23T14:56:56.000-0500', '2021-04-23T19:56:56.000'],
    ['2021-04-23T14:56:56.000-05:00', '2021-04-23T19:56:56.000'],
    ['2021-04-24T01:26:56.000+0530', '2021-04-23T19:56:56.000'],
    ['2021-04-24T01:56:56.000+06', '2021-04-23T19:56:56.000'],
    ['2021-04-23T19:56:56.1+0000', '2021-04-23T19:56:56.100'],
    ['2021-04-23T19:56:56.123456789+0000', '2021-04-23T19:56:56.123'],
    ['2021-01-01T00:30:00.000+0100', '2020-12-31T23:30:00.000'],
    ['2024-02-29T12:00:00.000+0000', '2024-02-29T12:00:00.000'],
    ['1970-01-01T00:00:00.000+0000', '1970-01-01T00:00:00.000'],
    ['1969-12-31T23:59:59.999+0000', '1969-12-31T23:59:59.999'],
  ])('reads %s as %s UTC', (text, expected) => {
    expect(parseJamaDate(text)).toBe(utc(expected));
  });

  it('reads the example from Jama’s documentation to the right epoch ms', () => {
    expect(parseJamaDate('2021-04-23T19:56:56.000+0000')).toBe(1_619_207_816_000);
  });

  it.each([
    ['empty', ''],
    ['words', 'yesterday'],
    ['date only', '2021-04-23'],
    ['no offset', '2021-04-23T19:56:56.000'],
    ['space separator', '2021-04-23 19:56:56.000+0000'],
    ['month 13', '2021-13-23T19:56:56.000+0000'],
    ['February 30th', '2021-02-30T19:56:56.000+0000'],
    ['February 29th in a common year', '2023-02-29T19:56:56.000+0000'],
    ['hour 24', '2021-04-23T24:00:00.000+0000'],
    ['second 60', '2021-04-23T19:56:60.000+0000'],
    ['offset minutes 60', '2021-04-23T19:56:56.000+0060'],
    ['three-digit offset', '2021-04-23T19:56:56.000+000'],
    ['trailing junk', '2021-04-23T19:56:56.000+0000x'],
    ['lower-case t', '2021-04-23t19:56:56.000+0000'],
    ['epoch number as text', '1619207816000'],
  ])('rejects %s with a JamaDateError', (_label, text) => {
    expect(() => parseJamaDate(text)).toThrow(JamaDateError);
  });

  it('names the bad value and carries a stable code', () => {
    try {
      parseJamaDate('garbage');
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(JamaDateError);
      expect((error as JamaDateError).code).toBe('JAMA_VALIDATION');
      expect((error as Error).message).toContain('`garbage`');
    }
  });

  it('rejects values that are not strings', () => {
    expect(() => parseJamaDate(12 as unknown as string)).toThrow(JamaDateError);
  });
});

describe('formatJamaDate', () => {
  it.each([
    [1_619_207_816_000, '2021-04-23T19:56:56.000+0000'],
    [1_619_207_816_007, '2021-04-23T19:56:56.007+0000'],
    [0, '1970-01-01T00:00:00.000+0000'],
    [-1, '1969-12-31T23:59:59.999+0000'],
    [1_619_207_816_000.9, '2021-04-23T19:56:56.000+0000'],
    [-62_167_219_200_000, '0000-01-01T00:00:00.000+0000'],
    [253_402_300_799_999, '9999-12-31T23:59:59.999+0000'],
  ])('writes %p as %s', (ms, expected) => {
    expect(formatJamaDate(ms)).toBe(expected);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [253_402_300_800_000], [-62_167_219_200_001]])(
    'rejects %p',
    (ms) => {
      expect(() => formatJamaDate(ms)).toThrow(JamaDateError);
    },
  );
});

describe('Jama dates (properties)', () => {
  const epochMs = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 });

  it('round-trips every representable millisecond', () => {
    fc.assert(fc.property(epochMs, (ms) => parseJamaDate(formatJamaDate(ms)) === ms));
  });

  it('agrees with Date for the colon form of any offset', () => {
    const offsetMinutes = fc.integer({ min: -12 * 60, max: 14 * 60 });
    const inRange = fc.integer({ min: 0, max: 4_102_444_800_000 }); // 1970 … 2100
    fc.assert(
      fc.property(inRange, offsetMinutes, (ms, offset) => {
        const text = withOffset(ms, offset, false);
        const colon = withOffset(ms, offset, true);
        return parseJamaDate(text) === ms && parseJamaDate(colon) === ms && Date.parse(colon) === ms;
      }),
    );
  });
});

/** `ms` written as local time at `offset` minutes east of UTC, e.g. `…T14:56:56.000-0500`. */
function withOffset(ms: number, offset: number, colon: boolean): string {
  const local = formatJamaDate(ms + offset * 60_000).slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}${colon ? ':' : ''}${mm}`;
}

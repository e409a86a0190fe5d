import { describeBadJamaDate, formatJamaDate, tryParseJamaDate } from '../../../src/simulator/query-date';

const JAMA_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

describe('formatJamaDate', () => {
  it('writes UTC with milliseconds and a +0000 offset without a colon', () => {
    expect(formatJamaDate(Date.UTC(2021, 3, 23, 19, 56, 56, 0))).toBe('2021-04-23T19:56:56.000+0000');
    expect(formatJamaDate(Date.UTC(2024, 1, 29, 0, 0, 0, 7))).toMatch(JAMA_FORMAT);
  });
});

describe('tryParseJamaDate', () => {
  it('reads back what formatJamaDate writes', () => {
    const ms = Date.UTC(2023, 11, 31, 23, 59, 59, 999);
    expect(tryParseJamaDate(formatJamaDate(ms))).toBe(ms);
  });

  it.each([
    ['2021-04-23T21:56:56.000+0200', Date.UTC(2021, 3, 23, 19, 56, 56)],
    ['2021-04-23T14:26:56.000-0530', Date.UTC(2021, 3, 23, 19, 56, 56)],
    ['2021-01-01T00:30:00.000+0100', Date.UTC(2020, 11, 31, 23, 30)],
  ])('applies the offset of %s', (text, expected) => {
    expect(tryParseJamaDate(text)).toBe(expected);
  });

  it.each([
    ['ISO Z suffix', '2021-04-23T19:56:56.000Z'],
    ['colon in the offset', '2021-04-23T19:56:56.000+00:00'],
    ['no milliseconds', '2021-04-23T19:56:56+0000'],
    ["'+' decoded to a space", '2021-04-23T19:56:56.000 0000'],
    ['31 February', '2021-02-31T00:00:00.000+0000'],
    ['hour 24', '2021-04-23T24:00:00.000+0000'],
    ['a date only', '2021-04-23'],
    ['garbage', 'yesterday'],
  ])('rejects %s', (_case, text) => {
    expect(tryParseJamaDate(text)).toBeUndefined();
  });
});

describe('describeBadJamaDate', () => {
  it('names the parameter and the expected format', () => {
    expect(describeBadJamaDate('modifiedDate', 'x')).toContain(
      "Invalid modifiedDate value 'x': expected yyyy-MM-dd",
    );
  });

  it("tells the caller to encode '+' when a space stands in its place", () => {
    expect(describeBadJamaDate('date', '2021-04-23T19:56:56.000 0000')).toContain('%2B');
  });
});

import { JamaDateError } from './jama-errors';

/**
 * Jama writes timestamps as `2021-04-23T19:56:56.000+0000`: an offset without a colon, which
 * `new Date(string)` is not required to understand. These functions parse and write them explicitly.
 */

// yyyy-MM-ddTHH:mm:ss[.fraction](Z | ±HH | ±HHmm | ±HH:mm)
const JAMA_DATE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)$/;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what four-digit years can express. */
const MIN_EPOCH_MS = -62_167_219_200_000;
const MAX_EPOCH_MS = 253_402_300_799_999;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const invalid = (text: unknown, why: string) =>
  new JamaDateError(
    `Expected a Jama date like \`2021-04-23T19:56:56.000+0000\`, got \`${String(text).slice(0, 60)}\` (${why})`,
  );

/**
 * Parses a Jama timestamp to epoch milliseconds. Accepts the offset as `+0000`, `-0500`, `+05:30`,
 * `+05` or `Z`, and 0–9 fraction digits (truncated to milliseconds).
 *
 * @throws {JamaDateError} when the text is not such a timestamp or names an impossible date.
 * @example
 * parseJamaDate('2021-04-23T19:56:56.000+0000'); // 1619207816000
 */
export function parseJamaDate(text: string): number {
  if (typeof text !== 'string') throw invalid(text, 'not a string');
  const m = JAMA_DATE.exec(text);
  if (!m) throw invalid(text, 'wrong format');
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) throw invalid(text, 'month out of range');
  if (day < 1 || day > daysInMonth(year, month)) throw invalid(text, 'day out of range');
  if (hour > 23 || minute > 59 || second > 59) throw invalid(text, 'time out of range');
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = om === undefined ? 0 : Number(om);
    if (offH > 23 || offM > 59) throw invalid(text, 'offset out of range');
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const local =
    daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  return local - offsetMinutes * MS_PER_MINUTE;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Writes epoch milliseconds as Jama's `yyyy-MM-dd'T'HH:mm:ss.SSS+0000` (UTC), the form the
 * `/abstractitems` and `/activities` date filters take. Fractions of a millisecond are dropped.
 *
 * @throws {JamaDateError} for values that are not finite or fall outside years 0000–9999.
 * @example
 * formatJamaDate(1619207816000); // '2021-04-23T19:56:56.000+0000'
 */
export function formatJamaDate(epochMs: number): string {
  if (
    typeof epochMs !== 'number' ||
    !Number.isFinite(epochMs) ||
    epochMs < MIN_EPOCH_MS ||
    epochMs > MAX_EPOCH_MS
  ) {
    throw new JamaDateError(
      `Expected \`epochMs\` to be a finite number within years 0000–9999, got \`${String(epochMs)}\``,
    );
  }
  const date = new Date(Math.floor(epochMs));
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `.${pad(date.getUTCMilliseconds(), 3)}+0000`
  );
}

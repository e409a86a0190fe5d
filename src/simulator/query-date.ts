/**
 * Jama's timestamp format, `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in Java terms: always milliseconds and an
 * RFC 822 offset without a colon, e.g. `2021-04-23T19:56:56.000+0000`. Jama answers in UTC.
 */
const JAMA_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$/;

/** Formats epoch milliseconds the way Jama writes dates: UTC, `+0000`, no colon. */
export function formatJamaDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}+0000`;
}

/**
 * Parses a Jama timestamp (any `±HHMM` offset) to epoch milliseconds; `undefined` when the text is
 * not exactly in Jama's format or names an impossible date. ISO forms such as `…000Z` or `+00:00`
 * are rejected, as Jama's Java parser rejects them.
 */
export function tryParseJamaDate(text: string): number | undefined {
  const m = JAMA_DATE.exec(text);
  if (!m) return undefined;
  const part = (i: number) => Number(m[i]);
  const [year, month, day, hour, minute, second, milli] = [1, 2, 3, 4, 5, 6, 7].map(part) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [offH, offM] = [part(9), part(10)];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offM > 59) {
    return undefined;
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, milli);
  // Date.UTC rolls 31 February over into March; a round trip catches impossible days.
  if (new Date(local).getUTCDate() !== day) return undefined;
  const offsetMs = (offH * 60 + offM) * 60_000 * (m[8] === '-' ? -1 : 1);
  return local - offsetMs;
}

/** Why a date parameter did not parse, with the remedy for the most common cause. */
export function describeBadJamaDate(name: string, value: string): string {
  const hint = / \d{4}$/.test(value)
    ? " A space stands where the '+' of the offset was: encode '+' as %2B in query strings."
    : '';
  return `Invalid ${name} value '${value}': expected yyyy-MM-dd'T'HH:mm:ss.SSSZ, e.g. 2021-04-23T19:56:56.000+0000.${hint}`;
}

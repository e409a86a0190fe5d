import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean } from '../core/did-you-mean';
import { UsageError } from '../core/errors';

export { didYouMean };

/** One `jama-sync <name>` sub-command. */
export interface Command {
  name: string;
  /** One line for `jama-sync --help`. */
  summary: string;
  /** Full `--help` text, with examples. */
  help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Where a command writes; tests capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Redraws the live progress line on stderr (a TTY); `''` ends it. Without it, progress is logged by `err`. */
  live?(line: string): void;
}

/** Cuts a line to `columns - 1` characters so a redrawn line never wraps (and smears) on a narrow terminal. */
export function clip(line: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 1);
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

let liveShown = false;
const write = (text: string) => {
  // A message ends the live line first; the next progress tick draws it again below.
  process.stderr.write(liveShown ? '\r\x1b[2K' : '');
  liveShown = false;
  return text.endsWith('\n') ? text : `${text}\n`;
};

export const processIo: CliIo = {
  out: (text) => process.stdout.write(write(text)),
  err: (text) => process.stderr.write(write(text)),
  live: (line) => {
    process.stderr.write(
      line ? `\r\x1b[2K${clip(line, process.stderr.columns)}` : liveShown ? '\r\x1b[2K' : '',
    );
    liveShown = Boolean(line);
  },
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs with errors a user can act on: unknown options get a "did you mean". */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const more = `Run \`jama-sync ${command} --help\` for the options.`;
    const option = /'(-{1,2}[^'\s]+)/.exec(message ?? '')?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const names = Object.keys(options).map((n) => `--${n}`);
      const guess = didYouMean(option, [...names, '--help']);
      throw new UsageError(
        `Unknown option \`${option}\` for \`jama-sync ${command}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} ${more}`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const needsValue = options[option.replace(/^-+/, '')]?.type === 'string';
      throw new UsageError(
        needsValue
          ? `\`${option}\` needs a value, e.g. \`${option} VALUE\`. ${more}`
          : `\`${option}\` takes no value. ${more}`,
      );
    }
    throw new UsageError(`${message ?? String(error)}. ${more}`);
  }
}

/** `--rate`, or `JAMA_SYNC_RATE_LIMIT` when the value came from the environment: what the user typed. */
const label = (name: string) => (/^[A-Z][A-Z0-9_]*$/.test(name) ? name : `--${name}`);

/** Parses a decimal integer flag in [min, max] (no hex, exponents or blanks), naming the flag in the error. */
export function intFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`Expected \`${label(name)}\` to be an integer ${range}, got \`${value}\`.`);
  }
  return n;
}

/** Parses a decimal number flag (fractions allowed; no hex or exponents). */
export function numberFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < min) {
    throw new UsageError(`Expected \`${label(name)}\` to be a number ≥ ${min}, got \`${value}\`.`);
  }
  return n;
}

/** A secret or name that must not be blank (whitespace only counts as blank). */
export function textFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '')
    throw new UsageError(`\`${label(name)}\` is blank: give the value, or leave the option out.`);
  return value;
}

/** One of a fixed set of words, `fallback` when absent, e.g. `--mode full`. */
export function choiceFlag<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  const names = choices.map((c) => `\`${c}\``);
  const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  throw new UsageError(`Expected \`${label(name)}\` to be ${list}, got \`${value}\`.`);
}

/** An http(s) base URL, e.g. `--jama-url https://tenant.jamacloud.com`. */
export function urlFlag(name: string, value: string | undefined, example: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(value.trim())
      ? ` (add the scheme: \`https://${value.trim()}\`)`
      : '';
    throw new UsageError(`Expected \`${label(name)}\` to be a URL like ${example}, got \`${value}\`${hint}.`);
  }
  if (url.username || url.password)
    throw new UsageError(`\`${label(name)}\` must not carry credentials; pass them with their own options.`);
  return value.trim();
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 } as const;

/**
 * Parses a duration flag such as `15m`, `90s`, `1h` or `500ms` (a bare number is seconds) into ms.
 * `minMs` refuses values that would flood Jama or the queues; 0 stays allowed when `zeroMeansOff`.
 */
export function durationFlag(
  name: string,
  value: string | undefined,
  fallbackMs: number,
  { minMs = 0, zeroMeansOff = false } = {},
): number {
  if (value === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(value.trim());
  if (!match) {
    throw new UsageError(
      `Expected \`--${name}\` to be a duration like \`15m\`, \`90s\` or \`1h\`, got \`${value}\`.`,
    );
  }
  const ms = Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS]);
  if (ms < minMs && !(ms === 0 && zeroMeansOff)) {
    throw new UsageError(
      `Expected \`--${name}\` to be at least ${minMs / 1000} s${zeroMeansOff ? ' (or 0 for off)' : ''}, got \`${value}\`.`,
    );
  }
  return ms;
}

/** Parses a comma-separated list of positive integers, e.g. `--projects 20,21`. */
export function idsFlag(name: string, value: string | undefined, noun = 'ids'): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => Number(s.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new UsageError(`Expected \`--${name}\` to be ${noun} like \`20,21\`, got \`${value}\`.`);
  }
  return ids;
}

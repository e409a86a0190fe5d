import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../core/errors';

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

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  live: (line) => process.stderr.write(line ? `\r\x1b[2K${line}` : '\n'),
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs with errors a user can act on. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${detail}. Run \`jama-sync ${command} --help\` for the options.`);
  }
}

/** Parses an integer flag, naming the flag and the value in the error. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`Expected \`--${name}\` to be an integer ≥ ${min}, got \`${value}\`.`);
  }
  return n;
}

/** Parses a number flag (fractions allowed). */
export function numberFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new UsageError(`Expected \`--${name}\` to be a number ≥ ${min}, got \`${value}\`.`);
  }
  return n;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 } as const;

/** Parses a duration flag such as `15m`, `90s`, `1h` or `500ms` (a bare number is seconds) into ms. */
export function durationFlag(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(value.trim());
  if (!match) {
    throw new UsageError(
      `Expected \`--${name}\` to be a duration like \`15m\`, \`90s\` or \`1h\`, got \`${value}\`.`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS]);
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

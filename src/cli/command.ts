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
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
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

import { JamaSyncError, UsageError } from '../src/core/errors';

/**
 * Runs a benchmark's `main` with Powertools quiet. `--help` (or `-h`) prints `usage` and exits 0
 * without running anything. Exits 0 when `main` resolves; when it rejects, prints the error — for a
 * user's mistake (a bad option, a {@link JamaSyncError}) only its message and the usage, exit 2;
 * anything else with its stack, exit 1.
 *
 * @example runBench('bench:reconcile', main, 'npm run bench:reconcile [-- --quick] [--only KEY,…]');
 */
export function runBench(name: string, main: () => Promise<void>, usage: string): void {
  const text = `${usage.trim()}\n`;
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(text);
    process.exit(0);
  }
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const code = (error as { code?: unknown })?.code;
      const mistake =
        error instanceof JamaSyncError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
      if (mistake) {
        process.stderr.write(`${name}: ${(error as Error).message}\n\n${text}`);
        process.exit(2);
      }
      process.stderr.write(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

/** What a numeric option must be: a whole number or any, and its bounds (inclusive). */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/**
 * The value of a numeric option given as `raw` (`fallback` when absent), checked against `rule`;
 * a {@link UsageError} naming the option, what it must be and what was given otherwise — the one
 * check every benchmark's options share.
 *
 * @example numberOption('environments', values.environments, 5, { integer: true, min: 3, max: 50 })
 */
export function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  rule: NumberRule = {},
): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max);
  if (ok) return n;
  const kind = rule.integer ? 'a whole number' : 'a number';
  const bounds =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` ≥ ${rule.min}`
        : rule.max !== undefined
          ? ` ≤ ${rule.max}`
          : '';
  throw new UsageError(`Expected \`--${name}\` to be ${kind}${bounds}, got \`${raw}\``);
}

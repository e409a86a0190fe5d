import { JamaSyncError } from '../src/core/errors';

/**
 * Runs a benchmark's `main` with Powertools quiet: exits 0 when it resolves, prints the error
 * (only its message for a user's mistake, a {@link JamaSyncError}) and exits 1 when it rejects.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      // A user's mistake (a bad option) gets its message; anything else its stack.
      const code = (error as { code?: unknown })?.code;
      const mistake =
        error instanceof JamaSyncError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
      const text =
        error instanceof Error ? (mistake ? error.message : (error.stack ?? error.message)) : String(error);
      process.stderr.write(`${name} failed: ${text}\n`);
      process.exit(1);
    },
  );
}

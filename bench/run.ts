/**
 * Runs a benchmark's `main` with Powertools quiet: exits 0 when it resolves, prints the error
 * and exits 1 when it rejects.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

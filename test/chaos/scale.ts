/**
 * How big the chaos suite runs: `CHAOS_SCALE` items in the simulated Jama (default 200, which keeps
 * `npm test` short; `npm run test:chaos` sets 2000). The only place the suite reads the environment.
 */
export interface ChaosScale {
  /** Items in the simulated environment (two projects). */
  items: number;
  /** Items changed per round of webhook events; the number of rounds is fixed by the schedule. */
  changesPerRound: number;
  /**
   * How long the suite waits for the pipeline to drain after the last fault: the backlog at the
   * rate, plus the longest wait the pipeline is built to sit out after a fault — a crashed scan's
   * cursor lease with its grace for a lost hand-back (60 s + 60 s), or a limiter pause or breaker
   * cool-down at its 60 s cap — each handed back up to 20 % later. Runs drain in 10–20 s; a run
   * that does not is reported with what still waits (test/chaos/harness.ts).
   */
  drainTimeoutMs: number;
  /** Jest timeout of the whole run. */
  testTimeoutMs: number;
}

function readScale(raw: string | undefined): ChaosScale {
  const items = raw === undefined || raw === '' ? 200 : Number(raw);
  if (!Number.isInteger(items) || items < 20 || items > 100_000) {
    throw new Error(`Expected \`CHAOS_SCALE\` to be an integer from 20 to 100000, got \`${raw}\``);
  }
  return {
    items: 2 * Math.ceil(items / 2), // two projects of equal size
    changesPerRound: Math.max(4, Math.round(items / 20)),
    drainTimeoutMs: 150_000 + items * 30,
    testTimeoutMs: 240_000 + items * 90,
  };
}

export const CHAOS: Readonly<ChaosScale> = Object.freeze(readScale(process.env.CHAOS_SCALE));

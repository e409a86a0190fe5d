/**
 * How big the chaos suite runs: `CHAOS_SCALE` items in the simulated Jama (default 200, which keeps
 * `npm test` short; `npm run test:chaos` sets 2000). The only place the suite reads the environment.
 */
export interface ChaosScale {
  /** Items in the simulated environment (two projects). */
  items: number;
  /** Items changed per round of webhook events; the number of rounds is fixed by the schedule. */
  changesPerRound: number;
  /** How long the suite waits for the pipeline to drain after the last fault. */
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
    drainTimeoutMs: 60_000 + items * 30,
    testTimeoutMs: 180_000 + items * 90,
  };
}

export const CHAOS: Readonly<ChaosScale> = Object.freeze(readScale(process.env.CHAOS_SCALE));

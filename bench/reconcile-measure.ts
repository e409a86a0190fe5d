/**
 * What `npm run bench:reconcile` reports for one scenario, computed from the simulator's call log
 * (where Jama would judge the limit), not from anything the client says about itself.
 */
import type { CallRecord } from '../src/simulator/call-log';
import { maxInAnyWindow } from '../src/simulator/rate-window';

export interface ReconcileMeasures {
  scenario: string;
  items: number;
  /** Pages the run needs at least: ⌈items / 50⌉ per project. */
  pages: number;
  /** Our calls at the simulator, and how many were answered 429. */
  calls: number;
  rejected429: number;
  seconds: number;
  /** Accepted calls of ours per second over the run (first to last call). */
  usefulPerSecond: number;
  /** What the run could have had: min(ceiling 9, limit − foreign load), averaged over the run. */
  capacityPerSecond: number;
  /** usefulPerSecond / capacityPerSecond. */
  ofCapacity: number;
  /** Most of our accepted calls in any 1 s window, and with the foreign ones. */
  busiestSecond: number;
  busiestSecondAll: number;
  /** All our calls per page the run needed (1.0 = no page read twice, no extra call). */
  callsPerPage: number;
  /** Longest stretch without an accepted call of ours (s). */
  longestGapSeconds: number;
  /** Limiter DynamoDB calls (writes + reads) per acquire, both worker deployments. */
  limiterOpsPerCall: number;
  /**
   * CPU time of this process (simulator, embedded DynamoDB and SQS, workers) per page: 1000 ÷ it
   * is the most pages per second one core could give, whatever the design.
   */
  cpuMsPerPage: number;
  mirrorEqualsJama: boolean;
}

/** Free capacity per second for a foreign load `foreignAt(t)`, averaged over [start, end). */
export function averageCapacity(start: number, end: number, foreignAt: (t: number) => number, limit = 10) {
  let sum = 0;
  let n = 0;
  for (let t = start; t < end; t += 100, n++) sum += Math.min(9, limit - foreignAt(t));
  return n > 0 ? sum / n : 9;
}

export function measureRun(input: {
  scenario: string;
  calls: readonly CallRecord[];
  items: number;
  pages: number;
  foreignAt: (t: number) => number;
  limiterOpsPerCall: number;
  cpuMs: number;
  mirrorEqualsJama: boolean;
}): ReconcileMeasures {
  const ours = input.calls.filter((c) => !c.foreign && c.path.includes('/rest/'));
  const accepted = ours.filter((c) => c.status !== 429).map((c) => c.at);
  const start = Math.min(...accepted);
  const end = Math.max(...accepted);
  const seconds = Math.max(0.001, (end - start) / 1000);
  const all = input.calls.filter((c) => c.status !== 429 && c.at >= start && c.at <= end).map((c) => c.at);
  let gap = 0;
  const sorted = [...accepted].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++)
    gap = Math.max(gap, (sorted[i] as number) - (sorted[i - 1] as number));
  const capacity = averageCapacity(start, end, input.foreignAt);
  const useful = accepted.length / seconds;
  return {
    scenario: input.scenario,
    items: input.items,
    pages: input.pages,
    calls: ours.length,
    rejected429: ours.length - accepted.length,
    seconds,
    usefulPerSecond: useful,
    capacityPerSecond: capacity,
    ofCapacity: useful / capacity,
    busiestSecond: maxInAnyWindow(accepted),
    busiestSecondAll: maxInAnyWindow(all),
    callsPerPage: ours.length / input.pages,
    longestGapSeconds: gap / 1000,
    limiterOpsPerCall: input.limiterOpsPerCall,
    cpuMsPerPage: input.cpuMs / input.pages,
    mirrorEqualsJama: input.mirrorEqualsJama,
  };
}

const f = (n: number, d = 2) => n.toFixed(d);

/** The markdown table of a report. */
export function reconcileTable(rows: readonly ReconcileMeasures[]): string {
  const head =
    '| scenario | items | calls (429) | s | useful calls/s | of capacity | busiest s (with foreign) | calls/page | longest gap s | limiter DynamoDB ops/call | CPU ms/page | mirror = Jama |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.scenario} | ${r.items} | ${r.calls} (${r.rejected429} = ${f((100 * r.rejected429) / Math.max(1, r.calls), 1)} %) | ${f(r.seconds, 1)} | ${f(r.usefulPerSecond)} | ${f(r.ofCapacity)} × ${f(r.capacityPerSecond)} | ${r.busiestSecond} (${r.busiestSecondAll}) | ${f(r.callsPerPage, 3)} | ${f(r.longestGapSeconds, 1)} | ${f(r.limiterOpsPerCall)} | ${f(r.cpuMsPerPage, 0)} | ${r.mirrorEqualsJama ? 'yes' : 'NO'} |`,
      )
      .join('\n') +
    '\n'
  );
}

/**
 * What `npm run bench:environments` reports for each environment, computed from that
 * environment's own simulator call log (where its Jama would judge its limit).
 */
import type { CallRecord } from '../src/simulator/call-log';
import { maxInAnyWindow } from '../src/simulator/rate-window';

export interface EnvironmentMeasures {
  env: string;
  role: 'healthy' | 'neighbour' | 'down';
  limit: number;
  /** What it could have had: min(the limiter's ceiling 0.9 × limit, limit − foreign load). */
  capacityPerSecond: number;
  calls: number;
  rejected429: number;
  /** Calls answered 5xx (the down environment's outage). */
  failed: number;
  /** Accepted calls per second from its first to its last accepted call. */
  usefulPerSecond: number;
  ofCapacity: number;
  /** Most calls in any sliding 1 s window: ours accepted, and everything sent (ours with 429s, foreign). */
  busiestSecond: number;
  busiestSecondSent: number;
  /** 1 when everything sent in some 1 s window exceeded the limit, else 0 (a 429 was then deserved). */
  windowsOverLimit: number;
  itemsCurrent: boolean;
}

/** The limiter's ceiling: 0.9 × the limit (`safeCeiling`, src/core/limiter-config.ts). */
export const CEILING_SHARE = 0.9;

export function measureEnvironment(input: {
  env: string;
  role: EnvironmentMeasures['role'];
  limit: number;
  foreignRate: number;
  calls: readonly CallRecord[];
  itemsCurrent: boolean;
}): EnvironmentMeasures {
  const ours = input.calls.filter((c) => !c.foreign && c.path.includes('/rest/'));
  const accepted = ours.filter((c) => c.status !== 429 && c.status < 500 && c.status !== 0).map((c) => c.at);
  const start = Math.min(...accepted);
  const end = Math.max(...accepted);
  const seconds = Math.max(0.001, (end - start) / 1000);
  const sent = input.calls.filter((c) => !c.foreign || c.status !== 429).map((c) => c.at);
  const busiestSent = maxInAnyWindow(sent);
  const capacity = Math.min(CEILING_SHARE * input.limit, input.limit - input.foreignRate);
  const useful = accepted.length > 1 ? accepted.length / seconds : 0;
  return {
    env: input.env,
    role: input.role,
    limit: input.limit,
    capacityPerSecond: capacity,
    calls: ours.length,
    rejected429: ours.filter((c) => c.status === 429).length,
    failed: ours.filter((c) => c.status >= 500 || c.status === 0).length,
    usefulPerSecond: useful,
    ofCapacity: useful / capacity,
    busiestSecond: maxInAnyWindow(accepted),
    busiestSecondSent: busiestSent,
    windowsOverLimit: busiestSent > input.limit ? 1 : 0,
    itemsCurrent: input.itemsCurrent,
  };
}

/** Accepted calls of ours per second inside [from, to). */
export function rateWithin(calls: readonly CallRecord[], from: number, to: number): number {
  const n = calls.filter(
    (c) => !c.foreign && c.path.includes('/rest/') && c.status === 200 && c.at >= from && c.at < to,
  ).length;
  return to > from ? (n * 1000) / (to - from) : 0;
}

const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');

/** The README table: one row per environment of the run with every environment. */
export function environmentsTable(
  rows: readonly (EnvironmentMeasures & {
    alonePerSecond?: number;
    withoutDownPerSecond?: number;
    outagePerSecond?: number;
    outageWithoutDownPerSecond?: number;
  })[],
): string {
  const head =
    '| env | role | limit | capacity/s | calls/s | of capacity | 429s | 5xx | busiest s (sent) | alone calls/s | slowdown vs alone | whole run without the down env | during the outage: with / without it | cost of the down env (outage) | items current |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map((r) => {
        const slow = r.alonePerSecond ? 1 - r.usefulPerSecond / r.alonePerSecond : Number.NaN;
        const cost = r.outageWithoutDownPerSecond
          ? 1 - (r.outagePerSecond ?? 0) / r.outageWithoutDownPerSecond
          : Number.NaN;
        const outage = `${f(r.outagePerSecond ?? Number.NaN)} / ${f(r.outageWithoutDownPerSecond ?? Number.NaN)}`;
        return `| ${r.env} | ${r.role} | ${r.limit} | ${f(r.capacityPerSecond)} | ${f(r.usefulPerSecond)} | ${f(r.ofCapacity)} | ${r.rejected429} | ${r.failed} | ${r.busiestSecond} (${r.busiestSecondSent}) | ${r.role === 'healthy' ? f(r.alonePerSecond ?? Number.NaN) : '–'} | ${r.role === 'healthy' ? `${f(100 * slow, 0)} %` : '–'} | ${r.role === 'down' ? '–' : f(r.withoutDownPerSecond ?? Number.NaN)} | ${r.role === 'down' ? '–' : outage} | ${r.role === 'down' ? '–' : `${f(100 * cost, 0)} %`} | ${r.itemsCurrent ? 'yes' : 'NO'} |`;
      })
      .join('\n') +
    '\n'
  );
}

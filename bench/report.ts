/** The benchmark's results as a markdown table (stdout, README) and as JSON (bench/results/). */
import { cpus } from 'node:os';
import type { Measures } from './measure';
import type { Workload } from './workload';

export interface Report {
  command: string;
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  scale: string;
  /** How the contestants were scheduled (in words). */
  order: string;
  workload: {
    seed: number;
    projects: number;
    itemsPerProject: number;
    changedItems: number;
    events: number;
    rateLimit: number;
    latencyMs: { min: number; max: number };
    floorCalls: number;
    floorSeconds: number;
  };
  capSeconds: number;
  results: (Measures & { ratios: Record<'wallTime' | 'calls' | 'itemsPerCall', number | null> })[];
}

const ratio = (value: number, base: number | undefined) =>
  base === undefined || base === 0 ? null : Math.round((value / base) * 10) / 10;

export function buildReport(
  results: readonly Measures[],
  workload: Workload,
  meta: { command: string; scale: string; order: string; capSeconds: number },
): Report {
  const base = results.find((r) => r.key === 'jama-sync');
  const o = workload.options;
  return {
    command: meta.command,
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    scale: meta.scale,
    order: meta.order,
    workload: {
      seed: o.seed,
      projects: o.projects,
      itemsPerProject: o.itemsPerProject,
      changedItems: o.changedItems,
      events: o.events,
      rateLimit: o.rateLimit,
      latencyMs: o.latencyMs,
      floorCalls: workload.floorCalls,
      floorSeconds: workload.floorSeconds,
    },
    capSeconds: meta.capSeconds,
    results: results.map((r) => ({
      ...r,
      ratios: {
        wallTime: r.drained ? ratio(r.wallSeconds, base?.drained ? base.wallSeconds : undefined) : null,
        calls: ratio(r.calls, base?.calls),
        itemsPerCall: ratio(r.itemsPerCall, base?.itemsPerCall),
      },
    })),
  };
}

const n = (value: number) => value.toLocaleString('en-US');
const times = (value: number | null) => (value === null ? '' : ` (×${value})`);

/** The results table, then what each contestant models and anything lost. */
export function markdown(report: Report): string {
  const w = report.workload;
  const total = w.projects * w.itemsPerProject;
  const lines = [
    `Workload (seed ${w.seed}): ${n(w.events)} webhook events over ${n(w.changedItems)} edited items, then a full reconciliation of ${w.projects} × ${n(w.itemsPerProject)} items. Jama simulator: ${w.rateLimit} calls/s, ${w.latencyMs.min}–${w.latencyMs.max} ms latency, a fresh one per contestant. Cap ${report.capSeconds} s per contestant; ${report.order}. ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}.`,
    '',
    '| contestant | wall time to drain | storm + reconcile | Jama calls | 429s | items per call | most calls in any 1 s (all / accepted) | events lost (after storm / at end) | items stale at end |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.results) {
    const baseline = r.key === 'jama-sync';
    const wall = r.drained
      ? `${r.wallSeconds.toFixed(1)} s${baseline ? '' : times(r.ratios.wallTime)}`
      : `did not drain in ${r.capSeconds} s`;
    const phases = r.drained
      ? `${r.stormSeconds?.toFixed(1)} + ${r.reconcileSeconds?.toFixed(1)} s`
      : r.stormSeconds === null
        ? 'storm unfinished'
        : `${r.stormSeconds.toFixed(1)} s + unfinished`;
    lines.push(
      `| ${r.name} | ${wall} | ${phases} | ${n(r.calls)}${baseline ? '' : times(r.ratios.calls)} | ${n(r.rejected429)} | ${r.itemsPerCall.toFixed(1)} | ${r.maxCallsInAnySecond} / ${r.maxAcceptedInAnySecond} | ${n(r.eventsLostInStorm)} / ${n(r.eventsLost)} | ${n(r.itemsStaleAtEnd)} of ${n(total)} |`,
    );
  }
  const floorItems = w.changedItems + total;
  lines.push(
    `| physical floor | ${w.floorSeconds.toFixed(1)} s | | ${n(w.floorCalls)} | 0 | ${(floorItems / w.floorCalls).toFixed(1)} | ≤ ${w.rateLimit} | 0 / 0 | 0 |`,
    '',
    `Physical floor: 1 token call + ⌈${n(w.changedItems)} ÷ 50⌉ calls for the edited items + ${w.projects} × ⌈${n(w.itemsPerProject)} ÷ 50⌉ pages = ${n(w.floorCalls)} calls, at ${w.rateLimit} calls/s = ${w.floorSeconds.toFixed(1)} s. ` +
      `Items per call = (edited items current in the sink after the storm + items current at the end) ÷ calls; the floor is ${n(floorItems)} ÷ ${n(w.floorCalls)}. ` +
      '(×N) is the ratio to jama-sync. An event is lost when its item’s latest content is not in that contestant’s sink, compared with the simulator at the end; reconciliation heals what the storm lost.',
    '',
  );
  for (const r of report.results) {
    lines.push(
      `- **${r.name}** — ${r.models}${r.notes.length > 0 ? ` *This run: ${r.notes.join('; ')}.*` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

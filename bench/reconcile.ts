/**
 * Reconciliation at the full rate: runs a full reconciliation through `jama-sync local`'s runtime
 * (src/local/local-stack.ts: the deployed event source settings, the real handlers, embedded SQS
 * and DynamoDB) against the Jama simulator at 100–300 ms latency, on a thread of its own as a real
 * Jama has its own clock (simulator-thread.ts), and reports, from the simulator's call log, useful
 * calls per second against the capacity left, 429s, the busiest second, calls per page and the
 * longest gap.
 *
 *   npm run bench:reconcile              # the issue's scenarios (about 12 min)
 *   npm run bench:reconcile -- --quick   # the same shapes, smaller (about 3 min)
 *   npm run bench:reconcile -- --only alone-1x20000,duplicates
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../src/core/errors';
import { startLocalStack } from '../src/local/local-stack';
import type { SimulatorOptions } from '../src/simulator/server';
import { measureRun, type ReconcileMeasures, reconcileTable } from './reconcile-measure';
import { runBench } from './run';
import { startSimulatorThread } from './simulator-thread';

interface Scenario {
  key: string;
  projects: number;
  items: number;
  latencyMs: { fixed: number; jitter: number };
  foreign?: SimulatorOptions['foreignSchedule'];
  duplicateScans?: boolean;
}

const SCHEDULE = { everyMs: 15_000, rates: [4, 8, 2, 6] };
const VARIED = { fixed: 100, jitter: 200 };

function scenarios(quick: boolean): Scenario[] {
  const big = quick ? 3000 : 20_000;
  const half = quick ? 1500 : 5000;
  return [
    { key: `alone-1x${big}`, projects: 1, items: big, latencyMs: { fixed: 300, jitter: 0 } },
    { key: `alone-2x${half}`, projects: 2, items: half, latencyMs: VARIED },
    {
      key: 'foreign-4',
      projects: 2,
      items: half,
      latencyMs: VARIED,
      foreign: { everyMs: 3_600_000, rates: [4] },
    },
    { key: 'foreign-varying', projects: 2, items: half, latencyMs: VARIED, foreign: SCHEDULE },
    { key: 'duplicates', projects: 2, items: half, latencyMs: VARIED, duplicateScans: true },
  ];
}

async function run(s: Scenario, log: (m: string) => void): Promise<ReconcileMeasures> {
  const projects = Array.from({ length: s.projects }, (_, i) => 20 + i);
  // Jama on its own thread, as a real one has its own clock (see simulator-thread.ts).
  const sim = await startSimulatorThread({
    projects: s.projects,
    itemsPerProject: s.items,
    rateLimit: 10,
    latencyMs: s.latencyMs,
    ...(s.foreign ? { foreignSchedule: s.foreign } : {}),
  });
  const stack = await startLocalStack({
    prefix: `bench${Date.now()}`,
    env: {
      JAMA_SYNC_URL: sim.url,
      JAMA_SYNC_CLIENT_ID: sim.clientId,
      JAMA_SYNC_CLIENT_SECRET: sim.clientSecret,
      JAMA_SYNC_PROJECTS: projects.join(','),
    },
    ...(s.duplicateScans ? { chaos: { duplicateScans: true } } : {}),
  }).catch(async (error: unknown) => {
    await sim.stop();
    throw error;
  });
  try {
    const origin = Date.now();
    await sim.resetStats();
    const cpu0 = process.cpuUsage();
    await stack.reconcile.run({ mode: 'full' });
    await stack.idle({ timeoutMs: 1_800_000, onTick: () => undefined });
    const cpu = process.cpuUsage(cpu0);
    const mirror = await stack.mirror();
    const live = new Map(
      [...mirror.values()].filter((r) => !r.deleted).map((r) => [r.itemId, r.modifiedDate]),
    );
    const expected = new Map((await sim.items()).map((it) => [it.id, it.modifiedDate]));
    const equal = live.size === expected.size && [...expected].every(([id, m]) => live.get(id) === m);
    const ops = [...stack.workers.deps.limiters.values(), ...stack.workers.reconcileDeps.limiters.values()]
      .map((l) => l.stats)
      .reduce((a, b) => ({ acquires: a.acquires + b.acquires, ops: a.ops + b.writes + b.reads }), {
        acquires: 0,
        ops: 0,
      });
    const schedule = s.foreign;
    const m = measureRun({
      scenario: s.key,
      calls: await sim.calls(),
      items: s.projects * s.items,
      pages: s.projects * Math.ceil(s.items / 50),
      foreignAt: (t) =>
        schedule
          ? (schedule.rates[Math.floor((t - origin) / schedule.everyMs) % schedule.rates.length] ?? 0)
          : 0,
      limiterOpsPerCall: ops.acquires > 0 ? ops.ops / ops.acquires : 0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mirrorEqualsJama: equal,
    });
    log(
      `${s.key}: ${m.usefulPerSecond.toFixed(2)} useful calls/s (${(m.ofCapacity * 100).toFixed(0)} % of ${m.capacityPerSecond.toFixed(2)}), ${m.rejected429} × 429, ${m.seconds.toFixed(1)} s`,
    );
    return m;
  } finally {
    await stack.stop();
    await sim.stop();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const wanted = values.only?.split(',');
  const all = scenarios(values.quick);
  const chosen = all.filter((s) => !wanted || wanted.some((w) => s.key.startsWith(w)));
  if (chosen.length === 0)
    throw new UsageError(
      `--only ${values.only} matches no scenario; choose from ${all.map((s) => s.key).join(', ')}`,
    );
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const rows: ReconcileMeasures[] = [];
  for (const s of chosen) rows.push(await run(s, log));
  const table = reconcileTable(rows);
  const name = values.quick ? 'reconcile-quick' : 'reconcile';
  await mkdir('bench/results', { recursive: true });
  await writeFile(`bench/results/${name}.json`, `${JSON.stringify(rows, null, 2)}\n`);
  await writeFile(`bench/results/${name}.md`, table);
  process.stdout.write(table);
}

runBench(
  'bench:reconcile',
  main,
  `Usage: npm run bench:reconcile [-- --quick] [--only KEY,…]

  --quick       the same scenarios, smaller (3,000 items; about 3 min)
  --only KEYS   only the scenarios whose key starts with one of these (alone, foreign, duplicates, …)

Writes bench/results/reconcile[-quick].{md,json}.`,
);

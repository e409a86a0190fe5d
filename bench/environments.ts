/**
 * Many Jama environments in one deployment: N simulated environments (one simulator each, its own
 * limit) served by one `jama-sync local` runtime at the deployed settings (src/local/local-stack.ts),
 * each reconciled in full at once. One environment is down for a minute (every call answered 503;
 * shorter with --quick), one shares its limit with a foreign integration at 4 calls/s. Reports per
 * environment, from its own simulator's call log: calls/s against its own capacity, 429s, the
 * busiest second, and the healthy environments' slowdown against running alone and against the
 * same run without the down environment. First it measures this machine's bound (see
 * `measureMirrorCapacity`): everything runs in one Node process whose local mirror takes only so
 * many pages per second, which bounds the total rate whatever the design; also reported: CPU ms
 * per call and how busy the main thread was.
 *
 *   npm run bench:environments                      # 5 environments, 2 × 4,000 items each, down 60 s
 *   npm run bench:environments -- --quick           # 5 environments, 2 × 1,000 items each, down 20 s
 *   npm run bench:environments -- --environments 8
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { resolveLimiterConfig } from '../src/core/limiter/config';
import { type SimulatedEnvironment, startSimulatedEnvironments } from '../src/local/simulated-environments';
import {
  type EnvironmentMeasures,
  environmentsTable,
  measureEnvironment,
  rateWithin,
} from './environments-measure';
import { measureMirrorCapacity } from './mirror-capacity';
import { numberOption, runBench } from './run';

interface Shape {
  n: number;
  itemsPerProject: number;
  downMs: number;
}

const RATE = 10;
const FOREIGN = 4;
const CEILING = resolveLimiterConfig({ limit: RATE }).ceiling;

function environments(
  shape: Shape,
  withDown: boolean,
): (SimulatedEnvironment & { role: EnvironmentMeasures['role'] })[] {
  const all = Array.from({ length: shape.n }, (_, i) => {
    const role: EnvironmentMeasures['role'] = i === 0 ? 'down' : i === 1 ? 'neighbour' : 'healthy';
    return {
      name: role === 'healthy' ? `env${i}` : `env${i}-${role}`,
      role,
      rateLimit: RATE,
      projects: 2,
      itemsPerProject: shape.itemsPerProject,
      ...(role === 'neighbour' ? { foreignRate: FOREIGN } : {}),
    };
  });
  return withDown ? all : all.filter((e) => e.role !== 'down');
}

interface Phase {
  rows: (EnvironmentMeasures & { outagePerSecond: number })[];
  cpuMsPerCall: number;
  /** The share of the run the main thread (everything but the stand-ins) was busy. */
  mainThreadBusy: number;
  seconds: number;
  load: number[];
}

/** The first seconds of a run (tokens, first pages) are left out of the outage window's rate. */
const SETTLE_MS = 3000;

/**
 * One run. `downMs`: how long the down environment (if any) answers 503; `windowMs`: the window
 * (from the start) whose rate the outage comparison uses — the same in the run with the down
 * environment and in the run without it, so the comparison is between equal stretches.
 */
async function phase(
  label: string,
  envs: ReturnType<typeof environments>,
  downMs: number,
  windowMs: number,
  log: (m: string) => void,
): Promise<Phase> {
  const world = await startSimulatedEnvironments(envs, { prefix: `benchenv${Date.now()}` });
  try {
    const down = envs.find((e) => e.role === 'down');
    const downSim = down ? world.simulators.get(down.name) : undefined;
    for (const sim of world.simulators.values()) sim.resetStats();
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    downSim?.setOptions({ faults: { serverErrorRate: 1 } });
    const recover = downSim ? setTimeout(() => downSim.setOptions({ faults: {} }), downMs) : undefined;
    await world.stack.reconcile.run({ mode: 'full' });
    await world.stack.idle({ timeoutMs: 1_800_000 });
    clearTimeout(recover);
    const cpu = process.cpuUsage(cpu0);
    const mainThreadBusy = performance.eventLoopUtilization(elu0).utilization;
    const rows: Phase['rows'] = [];
    for (const e of envs) {
      const sim = world.simulators.get(e.name);
      if (!sim) continue;
      const mirror = await world.stack.mirror(e.name);
      const items = sim.items();
      const current =
        items.every((it) => mirror.get(it.id)?.modifiedDate === it.modifiedDate) &&
        [...mirror.values()].filter((r) => !r.deleted).length === items.length;
      rows.push({
        ...measureEnvironment({
          env: e.name,
          role: e.role,
          limit: e.rateLimit,
          foreignRate: e.foreignRate ?? 0,
          calls: sim.calls(),
          itemsCurrent: current,
        }),
        outagePerSecond: rateWithin(sim.calls(), started + SETTLE_MS, started + windowMs),
      });
    }
    const calls = rows.reduce((sum, r) => sum + r.calls, 0);
    const seconds = (Date.now() - started) / 1000;
    log(
      `${label}: ${seconds.toFixed(1)} s, ${calls} calls, ${((cpu.user + cpu.system) / 1000 / Math.max(1, calls)).toFixed(0)} CPU ms/call; ` +
        rows.map((r) => `${r.env} ${r.usefulPerSecond.toFixed(2)}/s`).join(', '),
    );
    return {
      rows,
      cpuMsPerCall: (cpu.user + cpu.system) / 1000 / Math.max(1, calls),
      mainThreadBusy,
      seconds,
      load: loadavg(),
    };
  } finally {
    await world.stop();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, environments: { type: 'string' } },
  });
  const n = numberOption('environments', values.environments, 5, { integer: true, min: 3, max: 50 });
  const shape: Shape = values.quick
    ? { n, itemsPerProject: 1000, downMs: 20_000 }
    : { n, itemsPerProject: 4000, downMs: 60_000 };
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const load0 = loadavg();
  const machine = await measureMirrorCapacity();
  log(
    `this machine writes at most ${machine.pagesPerSecond.toFixed(1)} pages of ${machine.pageSize} per second to the local mirror (${machine.cpuMsPerPage.toFixed(0)} CPU ms/page)`,
  );
  const everyone = environments(shape, true);
  const window = shape.downMs;
  const alone = await phase(
    'alone',
    everyone.filter((e) => e.role === 'healthy').slice(0, 1),
    0,
    window,
    log,
  );
  const withoutDown = await phase(
    `${n - 1} environments, none down`,
    environments(shape, false),
    0,
    window,
    log,
  );
  const together = await phase(`${n} environments, one down`, everyone, shape.downMs, window, log);
  const aloneRate = alone.rows[0]?.usefulPerSecond;
  // Every call of a healthy run reads one page; the n − 1 environments not down share the machine's bound evenly.
  const healthy = together.rows.filter((r) => r.role === 'healthy');
  const share = machine.pagesPerSecond / (n - 1);
  const healthyMean = healthy.reduce((sum, r) => sum + r.usefulPerSecond, 0) / Math.max(1, healthy.length);
  const rows = together.rows.map((r) => ({
    ...r,
    ...(aloneRate ? { alonePerSecond: aloneRate } : {}),
    ...(() => {
      const other = withoutDown.rows.find((w) => w.env === r.env);
      return other
        ? { withoutDownPerSecond: other.usefulPerSecond, outageWithoutDownPerSecond: other.outagePerSecond }
        : {};
    })(),
  }));
  const note =
    `\n${n} environments at ${RATE} calls/s, 2 × ${shape.itemsPerProject} items each at 200 ms latency; ` +
    `${everyone[0]?.name} down (503) for the first ${shape.downMs / 1000} s${values.quick ? ' (--quick: 20 s, not a minute)' : ''}; ` +
    `${everyone[1]?.name} beside a foreign ${FOREIGN} calls/s. ` +
    `This machine's bound: the local mirror takes at most ${machine.pagesPerSecond.toFixed(1)} pages of ${machine.pageSize} per second with nothing else running ` +
    `(${machine.cpuMsPerPage.toFixed(0)} CPU ms/page, both threads), so the ${n - 1} environments not down can read ${share.toFixed(2)} pages/s each here at most, sharing it evenly ` +
    `(${(share / CEILING).toFixed(2)} × the ${CEILING}/s ceiling), whatever the design; the healthy ones averaged ${healthyMean.toFixed(2)}/s, ${(healthyMean / share).toFixed(2)} × that bound. CPU ms per call (this one process): alone ${alone.cpuMsPerCall.toFixed(0)}, ` +
    `without the down environment ${withoutDown.cpuMsPerCall.toFixed(0)}, with it ${together.cpuMsPerCall.toFixed(0)}; ` +
    `its main thread (all but the stand-ins) busy ${[alone, withoutDown, together].map((p) => `${(100 * p.mainThreadBusy).toFixed(0)} %`).join(', ')} of the time. ` +
    `"during the outage": calls/s from ${SETTLE_MS / 1000} s to ${window / 1000} s after the start, with the down environment and in the run without it; ` +
    `"whole run": from each environment's first to its last call (once the down environment recovers, its own work shares this one process's CPU). ` +
    `Load average (1/5/15 min) before ${load0.map((l) => l.toFixed(1)).join('/')}, after ${together.load.map((l) => l.toFixed(1)).join('/')} on 2 cores.\n`;
  const table = environmentsTable(rows) + note;
  const name = values.quick ? 'environments-quick' : 'environments';
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    `bench/results/${name}.json`,
    `${JSON.stringify({ shape, machine, alone, withoutDown, together: { ...together, rows } }, null, 2)}\n`,
  );
  await writeFile(`bench/results/${name}.md`, table);
  process.stdout.write(table);
}

runBench(
  'bench:environments',
  main,
  `Usage: npm run bench:environments [-- --quick] [--environments N]

  --quick             5 environments, 2 × 1,000 items each, one down for 20 s (default: 2 × 4,000, down 60 s)
  --environments N    how many environments, 3 to 50 (default 5)

Writes bench/results/environments[-quick].{md,json}.`,
);

import type { JobInput } from '../../../src/core/jobs';
import { summarize } from '../../../src/local/report';
import {
  type SimulatedEnvironments,
  startSimulatedEnvironments,
} from '../../../src/local/simulated-environments';
import type { CallRecord } from '../../../src/simulator/call-log';
import { maxInAnyWindow } from '../../../src/simulator/rate-window';

/**
 * Issue 17: three Jama environments with their own limits (10, 5 and 2 calls/s) in one local
 * deployment, each counted at its own simulator. Webhook-style pulls of items the mirror has never
 * held cost one `GET /items/{id}` and one mirror write each, so the process's CPU is not what is
 * measured; every environment gets about 25 s of work at its ceiling, all at once.
 *
 * `npm run test:environments` runs it alone against issue 17's target (`ENVIRONMENTS_TARGET=1`):
 * at least 0.8 of each limit and no 429. Measured on an idle 2-core machine: 0.81–0.91 of each
 * limit and no 429 in 21 runs on their own, 0.82–0.92 in 12 runs after the other serial suites;
 * on a slower day 4 of 21 runs missed it (the 10/s environment at 0.79, 0.785, 0.76, and 0.67
 * after one 429 drawn by two calls that reached the simulator 37 ms apart, most likely where this
 * one process's event loop stalled). So `npm test`, which must not flake, runs it with a floor
 * that still tells an environment held to its own limit from one sharing a deployment-wide pace
 * (8 / 3 calls/s each, 0.27 of the 10/s limit, before #17): at least 0.6 of each limit and at most
 * one 429 each.
 */
const LIMITS = { ten: 10, five: 5, two: 2 } as const;
const WORK_SECONDS = 25;
const TARGET = process.env.ENVIRONMENTS_TARGET === '1';
const RATE_BOUND = TARGET ? 0.8 : 0.6;
const MAX_429 = TARGET ? 0 : 1;
/** Seconds left out at the start (token, first batches) and the end (the last batches draining). */
const RAMP_MS = 3000;

let world: SimulatedEnvironments;
afterAll(() => world?.stop());

/**
 * Our accepted calls per second between the first and the last one, ramps left out. Every call
 * counts against the limit, so every accepted one counts here: the item reads and the reference
 * data (users, item types, pick lists) read once at the start.
 */
function sustainedRate(calls: readonly CallRecord[]): number {
  const at = calls.filter((c) => !c.foreign && c.status === 200).map((c) => c.at);
  const from = Math.min(...at) + RAMP_MS;
  const to = Math.max(...at) - RAMP_MS;
  return (at.filter((t) => t >= from && t < to).length * 1000) / (to - from);
}

it(`runs each environment at its own limit, counted at its own Jama: none above it, each at ≥ ${RATE_BOUND} of it, ≤ ${MAX_429} × 429`, async () => {
  const envs = Object.entries(LIMITS).map(([name, rateLimit]) => ({
    name,
    rateLimit,
    projects: 1,
    // 0.9 × the limit is the limiter's ceiling; enough items for WORK_SECONDS at it.
    itemsPerProject: Math.ceil(0.9 * rateLimit * WORK_SECONDS),
    latencyMs: { fixed: 150, jitter: 100 },
  }));
  world = await startSimulatedEnvironments(envs, { prefix: `envs${Date.now()}` });
  const jobs: JobInput[] = [];
  for (const e of envs) {
    const sim = world.simulators.get(e.name);
    for (const item of sim?.items() ?? []) jobs.push({ v: 1, env: e.name, kind: 'pull', itemId: item.id });
  }
  // Interleaved, as a busy webhook would deliver them: every batch holds every environment.
  jobs.sort((a, b) => (a.kind === 'pull' && b.kind === 'pull' ? a.itemId - b.itemId : 0));
  for (const sim of world.simulators.values()) sim.resetStats();
  await world.stack.enqueue(jobs);
  await world.stack.idle({ timeoutMs: 120_000 });

  const summary = await summarize(world.stack, Date.now());
  const measured = envs.map((e) => {
    const sim = world.simulators.get(e.name);
    if (!sim) throw new Error(`no simulator for ${e.name}`);
    const calls = sim.calls().filter((c) => !c.foreign);
    return {
      name: e.name,
      limit: e.rateLimit,
      busiestSecond: maxInAnyWindow(calls.map((c) => c.at)),
      throttled: calls.filter((c) => c.status === 429).length,
      rate: sustainedRate(calls),
      limiter: world.stack.workers.deps.limiters.get(e.name)?.stats,
      // For a 429: when it came (s after the first call) and our arrivals in the second before it (ms before it).
      refused: calls
        .filter((c) => c.status === 429)
        .map((c) => {
          const window = calls.filter((o) => o.at > c.at - 1000 && o.at < c.at).map((o) => c.at - o.at);
          return `${((c.at - (calls[0]?.at ?? c.at)) / 1000).toFixed(2)} s [${window.join(' ')}]`;
        }),
    };
  });
  process.stderr.write(
    `${measured.map((m) => `${m.name}: limit ${m.limit}/s, sustained ${m.rate.toFixed(2)}/s, busiest second ${m.busiestSecond}, 429s ${m.throttled} ${m.refused.join(', ')}, limiter ${JSON.stringify(m.limiter)}`).join('\n')}\n`,
  );
  for (const m of measured) {
    // With a 429 allowed, the refused call is the one over the limit: one more than it was sent.
    expect(m.busiestSecond).toBeLessThanOrEqual(m.limit + Math.min(m.throttled, MAX_429));
    expect(m.throttled).toBeLessThanOrEqual(MAX_429);
    expect(m.rate).toBeGreaterThanOrEqual(RATE_BOUND * m.limit);
  }
  for (const e of envs) {
    // Every item of the environment in its own partition, and the summary counts it there.
    const mirror = await world.stack.mirror(e.name);
    expect(mirror.size).toBe(e.itemsPerProject);
    expect(summary.environments.find((s) => s.env === e.name)).toMatchObject({
      itemsInMirror: e.itemsPerProject,
      rateLimit: e.rateLimit,
    });
  }
  // The total is every environment's, not the first one's.
  expect(summary.itemsInMirror).toBe(envs.reduce((sum, e) => sum + e.itemsPerProject, 0));
}, 150_000);

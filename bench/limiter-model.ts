/**
 * A fast model of reconciliation against a shared limit, in virtual time: the limiter's own core
 * (`reserve`, `onThrottled` in src/core/limiter) and the simulator's own window and foreign
 * traffic (src/simulator), with scan slices that acquire in the background lane, send with a lag,
 * wait Jama's latency, and hand back to the queue (whole-second delays) when a 429 or a long
 * limiter wait stops them. Minutes of traffic take milliseconds, so the limiter's adaptation can
 * be tuned here and then confirmed with `npm run bench:reconcile`, which runs the real pipeline.
 *
 *   npm run bench:limiter-model                       # 10 seeds × 60 s per scenario, in about a second
 *   npm run bench:limiter-model -- --seeds 20 --seconds 120 --lag 60 --limiter '{"kneeTtlMs":30000}'
 *   npm run bench:limiter-model -- --no-sent-at --budget 2000   # as before 429s told the room left
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../src/core/errors';
import { type LimiterOptions, resolveLimiterConfig } from '../src/core/limiter/config';
import { initialState, type LimiterState, onThrottled, reserve } from '../src/core/limiter/gcra';
import { ForeignTraffic } from '../src/simulator/foreign-traffic';
import { SlidingWindowLimiter } from '../src/simulator/rate-window';
import { numberOption, runBench } from './run';

export interface ModelScenario {
  key: string;
  /** Foreign calls per second, phase by phase. */
  foreign: number[];
  everyMs: number;
}

export interface ModelOptions {
  seconds: number;
  slices: number;
  seed: number;
  /** Longest background wait before a slice hands back (the scan's `waitBudgetMs`). */
  waitBudgetMs: number;
  limiter?: LimiterOptions;
  /** Lag between a slot and the call's arrival at Jama: uniform up to this, plus rare spikes. */
  lagMs: number;
  /** Whether a 429 is reported with the refused call's send time. @default true */
  sentAtKnown?: boolean;
  /** Print every call: arrival (s), answer, the rate and knee after it. */
  trace?: boolean;
}

export interface ModelResult {
  key: string;
  useful: number;
  capacity: number;
  ofCapacity: number;
  rejected: number;
  rejectedShare: number;
  longestGapS: number;
}

/** Mulberry32: a small seeded PRNG, so runs repeat. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Event = { at: number; run: () => void };

export function runModel(s: ModelScenario, o: ModelOptions): ModelResult {
  const random = prng(o.seed);
  const config = resolveLimiterConfig({ ...o.limiter, random });
  const events: Event[] = [];
  const schedule = (at: number, run: () => void) => {
    let i = events.length;
    events.push({ at, run });
    while (i > 0 && (events[i - 1] as Event).at > at) {
      events[i] = events[i - 1] as Event;
      i--;
    }
    events[i] = { at, run };
  };
  const t0 = 1_000_000;
  const end = t0 + o.seconds * 1000;
  const window = new SlidingWindowLimiter(10);
  const foreignAt = (t: number) => s.foreign[Math.floor((t - t0) / s.everyMs) % s.foreign.length] as number;
  const foreign = new ForeignTraffic(0, t0, { everyMs: s.everyMs, rates: s.foreign });
  const pump = (now: number) => {
    for (const at of foreign.due(now)) window.tryAcquire(at);
  };
  let state: LimiterState = initialState(t0, config);
  const accepted: number[] = [];
  let rejected = 0;

  const slice = (now: number, budgetUntil: number) => {
    if (now >= end) return;
    const r = reserve(state, now, config, Math.max(0, budgetUntil - now), 'background');
    if (!r.granted) {
      const sleepMs = Math.max(1, r.waitMs - config.backgroundHorizonMs);
      if (now + sleepMs <= budgetUntil) schedule(now + sleepMs, () => slice(now + sleepMs, budgetUntil));
      else handBack(now, r.waitMs);
      return;
    }
    state = r.state;
    const lag = random() * o.lagMs + (random() < 0.01 ? random() * 4 * o.lagMs : 0);
    const arrival = r.slotAt + lag;
    schedule(arrival, () => {
      pump(arrival);
      const ok = window.tryAcquire(arrival, (e) => foreign.pendingBefore(e));
      const answered = arrival + 100 + random() * 200;
      schedule(answered, () => {
        if (ok) {
          accepted.push(arrival);
          if (o.trace)
            process.stdout.write(`ok ${((arrival - t0) / 1000).toFixed(3)} ${state.rate} ${state.knee}\n`);
          const next = answered + 20;
          schedule(next, () => slice(next, next + o.waitBudgetMs));
        } else {
          rejected++;
          if (o.trace)
            process.stdout.write(`429 ${((arrival - t0) / 1000).toFixed(3)} ${state.rate} ${state.knee}\n`);
          state = onThrottled(
            state,
            answered,
            config,
            undefined,
            o.sentAtKnown === false ? undefined : arrival,
          );
          const wait = state.tat - answered;
          if (wait <= o.waitBudgetMs) schedule(answered, () => slice(answered, answered + o.waitBudgetMs));
          else handBack(answered, wait);
        }
      });
    });
  };
  // A hand-back: an SQS delay in whole seconds, then the event source's poll and an invocation.
  const handBack = (now: number, waitMs: number) => {
    const back = now + Math.ceil(waitMs / 1000) * 1000 + 200 + random() * 300;
    schedule(back, () => slice(back, back + o.waitBudgetMs));
  };
  for (let i = 0; i < o.slices; i++) {
    const at = t0 + i * 50;
    schedule(at, () => slice(at, at + o.waitBudgetMs));
  }
  while (events.length > 0) {
    const e = events.shift() as Event;
    if (e.at > end + 5000) break;
    e.run();
  }
  const inRun = accepted.filter((a) => a < end).sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < inRun.length; i++) gap = Math.max(gap, (inRun[i] as number) - (inRun[i - 1] as number));
  let cap = 0;
  for (let t = t0; t < end; t += 100) cap += Math.min(config.ceiling, 10 - foreignAt(t)) / 10;
  const capacity = cap / o.seconds;
  const useful = inRun.length / o.seconds;
  return {
    key: s.key,
    useful,
    capacity,
    ofCapacity: useful / capacity,
    rejected,
    rejectedShare: rejected / (rejected + inRun.length),
    longestGapS: gap / 1000,
  };
}

export const MODEL_SCENARIOS: ModelScenario[] = [
  { key: 'alone', foreign: [0], everyMs: 3_600_000 },
  { key: 'foreign-4', foreign: [4], everyMs: 3_600_000 },
  { key: 'foreign-varying', foreign: [4, 8, 2, 6], everyMs: 15_000 },
  { key: 'foreign-8', foreign: [8], everyMs: 3_600_000 },
];

function parseLimiter(text: string): LimiterOptions {
  try {
    return JSON.parse(text) as LimiterOptions;
  } catch {
    throw new UsageError(`Expected \`--limiter\` to be JSON, e.g. '{"kneeTtlMs":30000}', got \`${text}\``);
  }
}

function main() {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      seconds: { type: 'string' },
      budget: { type: 'string' },
      lag: { type: 'string' },
      'no-sent-at': { type: 'boolean', default: false },
      slices: { type: 'string' },
      limiter: { type: 'string', default: '{}' },
    },
  });
  const seeds = numberOption('seeds', values.seeds, 10, { integer: true, min: 1 });
  const seconds = numberOption('seconds', values.seconds, 60, { min: 1 });
  const budget = numberOption('budget', values.budget, 4000, { min: 0 });
  const lag = numberOption('lag', values.lag, 20, { min: 0 });
  const slices = numberOption('slices', values.slices, 8, { integer: true, min: 1 });
  const limiter = parseLimiter(values.limiter);
  const rows: string[] = [
    '| scenario | useful/s | of capacity | 429 % | longest gap s |',
    '|---|---|---|---|---|',
  ];
  for (const s of MODEL_SCENARIOS) {
    const rs = Array.from({ length: seeds }, (_, seed) =>
      runModel(s, {
        seconds,
        slices,
        seed: seed + 1,
        waitBudgetMs: budget,
        sentAtKnown: !values['no-sent-at'],
        lagMs: lag,
        limiter,
      }),
    );
    const avg = (f: (r: ModelResult) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const min = (f: (r: ModelResult) => number) => Math.min(...rs.map(f));
    rows.push(
      `| ${s.key} | ${avg((r) => r.useful).toFixed(2)} | ${avg((r) => r.ofCapacity).toFixed(2)} (min ${min((r) => r.ofCapacity).toFixed(2)}) | ${(avg((r) => r.rejectedShare) * 100).toFixed(1)} | ${Math.max(...rs.map((r) => r.longestGapS)).toFixed(1)} |`,
    );
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (process.argv[1]?.endsWith('limiter-model.ts')) {
  runBench(
    'bench:limiter-model',
    async () => main(),
    `Usage: npm run bench:limiter-model [-- --seeds 10] [--seconds 60] [--budget 4000] [--lag 20] [--slices 8] [--limiter JSON] [--no-sent-at]

  --seeds N       runs per scenario, each its own seed (default 10)
  --seconds N     virtual seconds per run (default 60)
  --budget MS     a slice's longest background wait before it hands back (default 4000)
  --lag MS        send lag: uniform up to this, plus rare spikes (default 20)
  --slices N      scan slices reading at once (default 8)
  --limiter JSON  limiter options over the defaults, e.g. '{"kneeTtlMs":30000}'
  --no-sent-at    429s without the refused call's send time`,
  );
}

import type { CallRecord } from '../../src/simulator/server';
import { type Pipeline, startPipeline } from '../support/pipeline';
import { EventDriver, prng } from './events';
import { DEFAULT_SCHEDULE, type FaultPhase, type PhaseRun, playSchedule } from './faults';
import { type Kill, type KillPoint, WorkerKiller } from './killer';
import { type RogueStats, startRogueWriters } from './rogue-writers';
import { startSiblings } from './siblings';
import { drainDeadLetters, judge, type Verdict } from './verdict';
import { MonotonicityWatcher, type Regression } from './watcher';

export const CHAOS_SOURCE = { name: 'chaos', env: 'default', secret: 'chaos-webhook-secret-0123456789' };

export interface ChaosOptions {
  /** Items in the simulated Jama (two projects). */
  items: number;
  /** Items changed per round of webhook events. */
  changesPerRound: number;
  /** A round of events this often while the schedule plays. @default 800 */
  roundEveryMs?: number;
  schedule?: readonly FaultPhase[];
  /** Worker kills, armed this many ms after the start. @default one of each point, spread out */
  kills?: { point: KillPoint; atMs: number }[];
  /** Extra acquirers of the environment's limiter item. @default 4 */
  siblings?: number;
  /** Writers replaying old item states into the mirror. @default 3 */
  rogueWriters?: number;
  /** An incremental reconciliation is started this long after the start. @default 9000 */
  reconcileAtMs?: number;
  drainTimeoutMs: number;
  seed?: number;
}

export interface ChaosReport {
  /** Mirror rows after the initial sync, and how long it took. */
  initialSync: { projects: number[]; notStarted: unknown[]; rows: number; ms: number };
  verdict: Verdict;
  regressions: Regression[];
  watcherPolls: number;
  kills: Kill[];
  killsNotReached: number;
  rogue: RogueStats;
  siblings: { calls: number; refusals: number; errors: number; conflicts: number };
  events: EventDriver['counts'];
  /** Items that got an invalid push. */
  poisoned: number[];
  phases: PhaseRun[];
  /** 429s answered to jama-sync's own calls outside a foreign storm (and its 1 s window). */
  unexpected429: CallRecord[];
  jama: { calls: number; ours429: number; faults: number; maxOursInAnyWindow: number };
  invocations: { count: number; errors: number };
  reconcileError?: string;
  ms: { chaos: number; drain: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Invocations are long (big batches behind a 9/s limiter), so the rarest point is armed first. */
const DEFAULT_KILLS: { point: KillPoint; atMs: number }[] = [
  { point: 'mid-write', atMs: 0 },
  { point: 'after-read', atMs: 4000 },
  { point: 'before-ack', atMs: 9000 },
];

/**
 * The chaos suite's pipeline: the whole jama-sync pipeline on loopback (test/support/pipeline.ts)
 * with the fault schedule, the webhook event driver, worker kills, rogue mirror writers, sibling
 * limiter acquirers and the monotonicity watcher wired in. {@link Chaos.run} plays one run and
 * reports; the test decides what must hold.
 */
export async function startChaos(options: ChaosOptions) {
  const killer: { current?: WorkerKiller } = {};
  const p: Pipeline = await startPipeline({
    simulator: { projects: 2, itemsPerProject: Math.ceil(options.items / 2), seed: options.seed ?? 1 },
    // Retries come back after 3, 5, 5 … s instead of 3, 5, 8 … 300 s, so a run drains in seconds;
    // JAMA_SYNC_MAX_FAILURES stays at its default (5).
    env: { JAMA_SYNC_PROJECTS: '20,21', JAMA_SYNC_BACKOFF_CAP_SECONDS: '5' },
    webhook: { sources: [CHAOS_SOURCE] },
    // The killer needs the worker's SQS client and queue, which exist once the deps are built.
    adjust: (deps) => {
      killer.current = new WorkerKiller(deps.sqs, deps.urls.jobs);
      return killer.current.adjust(deps);
    },
    wrapWorker: (handler) => (killer.current as WorkerKiller).wrap(handler),
  });
  return new Chaos(p, options, killer);
}

export class Chaos {
  readonly killer: WorkerKiller;
  /** Stops whatever a run left running (also when it failed half-way); see {@link stop}. */
  private readonly cleanups: (() => Promise<unknown> | unknown)[] = [];
  private stopped = false;

  constructor(
    readonly pipeline: Pipeline,
    private readonly options: ChaosOptions,
    holder: { current?: WorkerKiller },
  ) {
    this.killer = holder.current as WorkerKiller;
  }

  async run(): Promise<ChaosReport> {
    const p = this.pipeline;
    const { simulator } = p;
    const options = this.options;
    const phases = options.schedule ?? DEFAULT_SCHEDULE;
    // The initial sync, as a first scheduled reconciliation would do it, before anything breaks.
    const syncStarted = Date.now();
    const initial = await p.reconcile({ mode: 'incremental' });
    await p.idle(options.drainTimeoutMs);
    const allIds = new Set(simulator.items().map((it) => it.id));
    const initialSync = {
      projects: initial.started.map((s) => s.projectId),
      notStarted: [...initial.skipped, ...initial.failed],
      rows: (await p.mirror()).size,
      ms: Date.now() - syncStarted,
    };

    const watcher = new MonotonicityWatcher(() => p.mirror());
    watcher.start();
    this.cleanups.push(() => watcher.stop());
    const driver = new EventDriver({
      simulator,
      post: (payload) => (p.webhook as NonNullable<Pipeline['webhook']>).post(CHAOS_SOURCE.name, payload),
      enqueue: (jobs) => p.enqueue(jobs),
      random: prng(options.seed ?? 1),
    });
    const clientConfig = await dynamodbConfigOf(p);
    const rogue = startRogueWriters({
      clientConfig,
      table: p.resources.tables.mirror,
      env: 'default',
      writers: options.rogueWriters ?? 3,
      snapshots: () => driver.snapshots,
      newestKnown: (id) => watcher.highest(id),
    });
    const siblings = startSiblings({
      clientConfig,
      stateTable: p.resources.tables.state,
      environment: 'default',
      jamaUrl: simulator.url,
      clientId: 'jama-sync',
      clientSecret: 'jama-sync-secret',
      count: options.siblings ?? 4,
      itemIds: () => [...allIds],
    });
    // One process serves the whole pipeline and its tormentors; at 2,000 items the workers' calls
    // come in bursts seconds apart, so a fault may need longer than at 200 to be met.
    const schedule = playSchedule(simulator, phases, {
      patience: Math.max(4, Math.ceil(options.items / 250)),
    });
    const timers = (options.kills ?? DEFAULT_KILLS).map((k) =>
      setTimeout(() => this.killer.arm(k.point), k.atMs),
    );
    let reconcileError: string | undefined;
    timers.push(
      setTimeout(() => {
        p.reconcile({ mode: 'incremental' }).catch((error: Error) => {
          reconcileError = error.message;
        });
      }, options.reconcileAtMs ?? 9000),
    );
    const calm = async () => {
      await schedule.cancel();
      for (const t of timers) clearTimeout(t);
      await Promise.all([rogue.stop(), siblings.stop()]);
    };
    this.cleanups.push(calm);

    let playing = true;
    void schedule.done.then(() => {
      playing = false;
    });
    while (playing) {
      const roundStarted = Date.now();
      await driver.round(options.changesPerRound);
      await sleep(Math.max(0, (options.roundEveryMs ?? 800) - (Date.now() - roundStarted)));
    }
    // A kill point not reached yet (no batch got there in its window): keep events coming, calmly.
    for (let extra = 0; this.killer.pending() > 0 && extra < 20; extra++) {
      await driver.round(options.changesPerRound);
      await sleep(options.roundEveryMs ?? 800);
    }
    await calm();
    const killsNotReached = this.killer.pending();
    this.killer.disarm();
    const chaosMs = Date.now() - schedule.started;

    const drainStarted = Date.now();
    await p.idle(options.drainTimeoutMs).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.stuck(drainStarted, killsNotReached, reconcileError)}`);
    });
    const drainMs = Date.now() - drainStarted;
    await watcher.stop();

    const deadLetters = await drainDeadLetters(p.sqs, p.resources.queues.jobsDlq.url);
    for (const id of driver.accepted) allIds.add(id);
    const ours = simulator.calls().filter((c) => !c.foreign);
    const storms = schedule.runs.filter((r) => r.name.includes('429'));
    const inStorm = (at: number) => storms.some((s) => at >= s.from && at <= s.to + 1100);
    return {
      initialSync,
      verdict: judge(allIds, (id) => simulator.getItem(id), await p.mirror(), deadLetters),
      regressions: watcher.regressions,
      watcherPolls: watcher.polls,
      kills: this.killer.kills,
      killsNotReached,
      rogue: rogue.stats,
      siblings: siblings.stats,
      events: driver.counts,
      poisoned: [...driver.poisoned],
      phases: schedule.runs,
      unexpected429: ours.filter((c) => c.status === 429 && !inStorm(c.at)),
      jama: {
        calls: ours.length,
        ours429: ours.filter((c) => c.status === 429).length,
        faults: ours.filter((c) => c.status === 0 || c.status >= 500).length,
        maxOursInAnyWindow: simulator.stats().maxAcceptedInAnyWindowOurs,
      },
      invocations: { count: p.source.stats.invocations, errors: p.source.stats.errors },
      ...(reconcileError ? { reconcileError } : {}),
      ms: { chaos: chaosMs, drain: drainMs },
    };
  }

  /** What a run that did not drain went through, for the failure message. */
  private stuck(drainStarted: number, killsNotReached: number, reconcileError?: string): string {
    const p = this.pipeline;
    const ours = p.simulator.calls().filter((c) => !c.foreign && c.at >= drainStarted);
    const byStatus = new Map<number, number>();
    for (const c of ours) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
    const last = ours.at(-1);
    return [
      `kills: ${JSON.stringify(this.killer.kills)} (${killsNotReached} not reached)`,
      `invocations: ${p.source.stats.invocations} (${p.source.stats.errors} threw, ${p.source.stats.failures} records handed back)`,
      `Jama calls since the drain began: ${ours.length} by status ${JSON.stringify(Object.fromEntries(byStatus))}` +
        (last ? `, the last ${Date.now() - last.at} ms ago: ${last.method} ${last.path}` : ''),
      `reconcile: ${reconcileError ?? 'no error'}`,
    ].join('\n');
  }

  /** Stops the run's helpers and the pipeline, then lets killed invocations unwind (into nothing). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.killer.disarm();
    for (const cleanup of this.cleanups.splice(0)) await cleanup();
    await this.pipeline.stop();
    this.killer.release();
  }
}

/** Client settings for extra DynamoDB clients (each its own connection pool) on the pipeline's store. */
async function dynamodbConfigOf(p: Pipeline) {
  const endpoint = await p.dynamodb.config.endpoint?.();
  // The stand-ins accept only this run's credentials (the fixed local ones are refused).
  const { accessKeyId, secretAccessKey } = await p.dynamodb.config.credentials();
  return {
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    endpoint: `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
  };
}

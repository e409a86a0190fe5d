import type { CallRecord, JamaSimulator, SimulatorOptionsPatch } from '../../src/simulator/server';

/** One fault, applied to the simulator with `setOptions` for `durationMs`. */
export interface FaultPhase {
  name: string;
  durationMs: number;
  patch: SimulatorOptionsPatch;
  /**
   * Whether jama-sync has met the fault, given its own calls since the phase began. A phase that
   * has not been felt after `durationMs` (the workers were busy elsewhere) stays on, up to
   * `patience` times as long (playSchedule), so every run really goes through every fault.
   */
  felt?(ours: readonly CallRecord[]): boolean;
}

/** When a phase really ran (epoch ms), for attributing 429s and failures afterwards. */
export interface PhaseRun {
  name: string;
  from: number;
  to: number;
  felt: boolean;
}

/** What the simulator goes back to between phases. */
export const CALM: SimulatorOptionsPatch = {
  faults: {},
  latencyMs: { fixed: 0, jitter: 0 },
  foreignRate: 0,
};

const atLeast = (n: number, match: (c: CallRecord) => boolean) => (ours: readonly CallRecord[]) =>
  ours.filter(match).length >= n;

/**
 * The default schedule: a 5xx burst, connection resets, a latency spike with slow answers, and a
 * 429 storm from a foreign integration that alone exceeds the limit — 3 s each (longer if not yet
 * felt), with calm gaps between, as real incidents come and go.
 */
export const DEFAULT_SCHEDULE: readonly FaultPhase[] = [
  {
    name: '5xx burst',
    durationMs: 3000,
    patch: { faults: { serverErrorRate: 0.5 } },
    felt: atLeast(3, (c) => c.status >= 500),
  },
  {
    name: 'connection resets',
    durationMs: 3000,
    patch: { faults: { resetRate: 0.4 } },
    felt: atLeast(3, (c) => c.status === 0),
  },
  {
    name: 'latency spike',
    durationMs: 3000,
    patch: { latencyMs: { fixed: 200, jitter: 600 }, faults: { slowRate: 0.3, slowMs: 2500 } },
    felt: atLeast(3, (c) => c.durationMs >= 200),
  },
  {
    name: 'foreign 429 storm',
    durationMs: 3000,
    patch: { foreignRate: 12 },
    felt: atLeast(1, (c) => c.status === 429),
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays `phases` one after another on the simulator, `gapMs` of calm before each; `done` resolves
 * after the last. A phase not yet felt stays on up to `patience` × its duration.
 */
export function playSchedule(
  simulator: JamaSimulator,
  phases: readonly FaultPhase[],
  { gapMs = 2000, patience = 4 }: { gapMs?: number; patience?: number } = {},
) {
  const runs: PhaseRun[] = [];
  let cancelled = false;
  const started = Date.now();
  const play = async () => {
    for (const phase of phases) {
      await sleep(runs.length === 0 ? 0 : gapMs);
      if (cancelled) return;
      const run: PhaseRun = { name: phase.name, from: Date.now(), to: Number.POSITIVE_INFINITY, felt: false };
      runs.push(run);
      simulator.setOptions(phase.patch);
      const felt = () =>
        phase.felt?.(simulator.calls().filter((c) => !c.foreign && c.at >= run.from)) ?? true;
      await sleep(phase.durationMs);
      while (!cancelled && !felt() && Date.now() - run.from < patience * phase.durationMs) await sleep(250);
      run.felt = felt();
      simulator.setOptions(CALM);
      run.to = Date.now();
    }
  };
  const done = play();
  return {
    runs,
    started,
    done,
    /** Ends the schedule early (teardown) and calms the simulator. */
    async cancel() {
      cancelled = true;
      await done;
      simulator.setOptions(CALM);
    },
  };
}

export type Schedule = ReturnType<typeof playSchedule>;

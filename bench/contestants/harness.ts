import { type JamaSimulator, startJamaSimulator } from '../../src/simulator/server';
import type { StormEvent } from '../workload';
import { MemorySink } from './plain-jama';
import type { RunContext, RunOutcome, Snapshot } from './types';

/** What a plain-HTTP contestant's phases get. */
export interface PlainPhaseDeps {
  simulator: JamaSimulator;
  sink: MemorySink;
  signal: AbortSignal;
  events: readonly StormEvent[];
  projectIds: readonly number[];
  /** Say what was lost and why (shown under the results). */
  note(message: string): void;
}

export interface PlainPhases {
  /** Handles every event (or gives up on it); resolves when the storm is drained. */
  storm(deps: PlainPhaseDeps): Promise<void>;
  /** Copies every project into the sink; resolves when done. */
  reconcile(deps: PlainPhaseDeps): Promise<void>;
}

/** The simulator's live items, as a sink should hold them. */
export function expectedContent(simulator: JamaSimulator): Snapshot {
  return new Map(
    simulator.items().map((item) => [item.id, { modifiedDate: item.modifiedDate, fields: item.fields }]),
  );
}

/** True for the errors a contestant sees because its time cap struck. */
export const isAbort = (error: unknown, signal: AbortSignal) =>
  signal.aborted || (error instanceof Error && error.name === 'AbortError');

/** When each phase started and ended, and what the sink held after the storm and at the end. */
export interface PhaseTimes {
  startedAt: number;
  stormEndedAt: number | undefined;
  reconcileStartedAt: number | undefined;
  endedAt: number;
  sinkAfterStorm: Snapshot | undefined;
  sinkAtEnd: Snapshot;
  notes: string[];
}

/** A contestant's outcome from its simulator's call log and its phases (after the storm defaults to the end). */
export function outcome(simulator: JamaSimulator, signal: AbortSignal, t: PhaseTimes): RunOutcome {
  return {
    calls: simulator.calls(),
    expected: expectedContent(simulator),
    startedAt: t.startedAt,
    ...(t.stormEndedAt === undefined ? {} : { stormEndedAt: t.stormEndedAt }),
    ...(t.reconcileStartedAt === undefined ? {} : { reconcileStartedAt: t.reconcileStartedAt }),
    endedAt: t.endedAt,
    drained: !signal.aborted,
    sinkAfterStorm: t.sinkAfterStorm ?? t.sinkAtEnd,
    sinkAtEnd: t.sinkAtEnd,
    notes: t.notes,
  };
}

/**
 * Runs a plain-HTTP contestant on a fresh simulator: edits, storm, then a full reconciliation, each
 * phase timed, the sink snapshotted after each. When the cap strikes, what was done is reported.
 */
export async function runPlain(ctx: RunContext, phases: PlainPhases): Promise<RunOutcome> {
  const { workload, signal } = ctx;
  const simulator = await startJamaSimulator(workload.simulator);
  try {
    const sink = new MemorySink();
    const notes: string[] = [];
    const deps: PlainPhaseDeps = {
      simulator,
      sink,
      signal,
      events: workload.events,
      projectIds: workload.projectIds,
      note: (message) => notes.push(message),
    };
    const startedAt = Date.now();
    workload.applyEdits(simulator);
    let stormEndedAt: number | undefined;
    let reconcileStartedAt: number | undefined;
    let sinkAfterStorm: Snapshot | undefined;
    try {
      await phases.storm(deps);
      stormEndedAt = Date.now();
      sinkAfterStorm = sink.snapshot();
      reconcileStartedAt = Date.now();
      ctx.log(`storm drained in ${((stormEndedAt - startedAt) / 1000).toFixed(1)} s; reconciling`);
      await phases.reconcile(deps);
    } catch (error) {
      if (!isAbort(error, signal)) throw error;
    }
    return outcome(simulator, signal, {
      startedAt,
      stormEndedAt,
      reconcileStartedAt,
      endedAt: Date.now(),
      sinkAfterStorm,
      sinkAtEnd: sink.snapshot(),
      notes,
    });
  } finally {
    await simulator.close();
  }
}

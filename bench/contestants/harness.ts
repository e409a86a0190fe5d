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
    const endedAt = Date.now();
    return {
      calls: simulator.calls(),
      expected: expectedContent(simulator),
      startedAt,
      ...(stormEndedAt === undefined ? {} : { stormEndedAt }),
      ...(reconcileStartedAt === undefined ? {} : { reconcileStartedAt }),
      endedAt,
      drained: !signal.aborted,
      sinkAfterStorm: sinkAfterStorm ?? sink.snapshot(),
      sinkAtEnd: sink.snapshot(),
      notes,
    };
  } finally {
    await simulator.close();
  }
}

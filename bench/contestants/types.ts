import type { CallRecord } from '../../src/simulator/server';
import type { Workload } from '../workload';

/** What a sink holds of an item: enough to tell whether it is Jama's latest content. */
export interface Content {
  modifiedDate: string | undefined;
  fields: unknown;
}

export type Snapshot = Map<number, Content>;

export interface RunContext {
  workload: Workload;
  /** Aborted when the contestant's time cap is reached: stop, and report what was done. */
  signal: AbortSignal;
  /** Progress, to stderr. */
  log(message: string): void;
}

/** One contestant's run, as measured against its own fresh simulator. */
export interface RunOutcome {
  /** Every call the contestant's simulator answered. */
  calls: CallRecord[];
  /** The simulator's items at the end: what every sink should hold. */
  expected: Snapshot;
  /** Epoch ms: the edits are made and the first event is sent. */
  startedAt: number;
  /** When the storm was drained (every event handled or given up), if it was. */
  stormEndedAt?: number;
  /** When reconciliation was started (after the storm; taking the sink's snapshot is not timed). */
  reconcileStartedAt?: number;
  /** When reconciliation finished, or the time cap struck. */
  endedAt: number;
  /** Both phases finished within the cap. */
  drained: boolean;
  sinkAfterStorm: Snapshot;
  sinkAtEnd: Snapshot;
  /** Anything the reader should know about this run (e.g. projects a reconciliation abandoned). */
  notes: string[];
}

export interface Contestant {
  key: string;
  name: string;
  /** One honest sentence on what it models. */
  models: string;
  run(ctx: RunContext): Promise<RunOutcome>;
}

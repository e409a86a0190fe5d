/** How a reconciliation run reads Jama: only changes since the watermark, or every item. */
export type ReconcileMode = 'incremental' | 'full';

/** How far a project's incremental reconciliation has got: every change before `at` is in the sinks. */
export interface Watermark {
  /** Epoch ms, Jama's clock (an observed `lastActivityDate`). */
  at: number;
  /** The run that set it. */
  runId: string;
}

/** A project's run of one mode that has started; a new run of that mode waits until it finishes. */
export interface RunLease {
  runId: string;
  startedAt: number;
}

/**
 * Reconciliation state per environment and project (in AWS: items of the state table). Watermarks
 * only move forward; a run lease keeps overlapping runs of one mode from piling up when a scan
 * takes longer than the schedule's interval.
 */
export interface ReconcileStateStore {
  watermark(env: string, projectId: number): Promise<Watermark | undefined>;
  /** Moves the watermark to `at` unless it is already there or later; resolves whether it moved. */
  advanceWatermark(env: string, projectId: number, watermark: Watermark): Promise<boolean>;
  /**
   * Takes the lease of `mode` for a new run unless another run holds it: resolves false when a run
   * started after `staleBefore` has not finished.
   */
  claimRun(
    env: string,
    projectId: number,
    mode: ReconcileMode,
    lease: RunLease,
    staleBefore: number,
  ): Promise<boolean>;
  /** Marks the run finished (a no-op if another run has taken the lease since). */
  finishRun(env: string, projectId: number, mode: ReconcileMode, runId: string, at: number): Promise<void>;
  /** The run holding the lease of `mode`, finished or not; undefined if none ever did. */
  currentRun(
    env: string,
    projectId: number,
    mode: ReconcileMode,
  ): Promise<(RunLease & { finishedAt?: number }) | undefined>;
  /**
   * Takes the lease from a run that has stalled (its cursors stopped moving: its chain
   * dead-lettered) — only if `staleRunId` still holds it, so two takers cannot both win.
   */
  takeOverRun(
    env: string,
    projectId: number,
    mode: ReconcileMode,
    staleRunId: string,
    lease: RunLease,
  ): Promise<boolean>;
  /** Gives the lease back after a run failed to start. */
  releaseRun(env: string, projectId: number, mode: ReconcileMode, runId: string): Promise<void>;
}

/** A mirror row a full run did not see. */
export interface SweepCandidate {
  itemId: number;
  documentKey?: string;
}

/** Finds what a full run left unmarked (in AWS: a query of the mirror table). */
export interface SweepSource {
  /** Live (not tombstoned) rows of the project whose last full-run mark is not `runId`. */
  unseen(env: string, projectId: number, runId: string): AsyncIterable<SweepCandidate>;
}

import type {
  ReconcileMode,
  ReconcileStateStore,
  RunLease,
  SweepCandidate,
  SweepSource,
  Watermark,
} from '../../../src/core/ports/reconcile-state';

/** The state-table semantics in memory: watermarks only move forward; one unfinished run per mode. */
export class MemoryState implements ReconcileStateStore {
  readonly watermarks = new Map<string, Watermark>();
  readonly runs = new Map<string, RunLease & { finishedAt?: number }>();

  async watermark(env: string, projectId: number) {
    return this.watermarks.get(`${env}#${projectId}`);
  }

  async advanceWatermark(env: string, projectId: number, w: Watermark) {
    const key = `${env}#${projectId}`;
    const current = this.watermarks.get(key);
    if (current && current.at >= w.at) return false;
    this.watermarks.set(key, w);
    return true;
  }

  async claimRun(env: string, projectId: number, mode: ReconcileMode, lease: RunLease, staleBefore: number) {
    const key = `${env}#${projectId}#${mode}`;
    const run = this.runs.get(key);
    if (run && run.finishedAt === undefined && run.startedAt >= staleBefore) return false;
    this.runs.set(key, { ...lease });
    return true;
  }

  async finishRun(env: string, projectId: number, mode: ReconcileMode, runId: string, at: number) {
    const run = this.runs.get(`${env}#${projectId}#${mode}`);
    if (run?.runId === runId) run.finishedAt = at;
  }

  async currentRun(env: string, projectId: number, mode: ReconcileMode) {
    const run = this.runs.get(`${env}#${projectId}#${mode}`);
    return run ? { ...run } : undefined;
  }

  async takeOverRun(
    env: string,
    projectId: number,
    mode: ReconcileMode,
    staleRunId: string,
    lease: RunLease,
  ) {
    const key = `${env}#${projectId}#${mode}`;
    const run = this.runs.get(key);
    if (run?.runId !== staleRunId || run.finishedAt !== undefined) return false;
    this.runs.set(key, { ...lease });
    return true;
  }

  async releaseRun(env: string, projectId: number, mode: ReconcileMode, runId: string) {
    const key = `${env}#${projectId}#${mode}`;
    if (this.runs.get(key)?.runId === runId) this.runs.delete(key);
  }
}

/** Mirror rows with their last full-run mark. */
export class MemorySweep implements SweepSource {
  constructor(
    readonly rows: { env: string; projectId: number; itemId: number; documentKey?: string; seen?: string }[],
  ) {}

  async *unseen(env: string, projectId: number, runId: string): AsyncIterable<SweepCandidate> {
    for (const r of this.rows) {
      if (r.env === env && r.projectId === projectId && r.seen !== runId)
        yield { itemId: r.itemId, ...(r.documentKey ? { documentKey: r.documentKey } : {}) };
    }
  }
}

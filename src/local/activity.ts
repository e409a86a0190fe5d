import type { RecordResult } from '../core/worker/sync-engine';

/** One job the local workers finished, newest first on the dashboard. */
export interface SyncedJob {
  at: number;
  env: string;
  /** `pull item 123 (DOC-1)`, `scan project 20 page 3`, … */
  what: string;
  /** From the change (when the job says) or from enqueueing, to synced. */
  latencyMs?: number;
}

/** Sync latency percentiles over the last {@link LATENCY_SAMPLES} synced jobs, in ms. */
export interface Latency {
  count: number;
  p50?: number;
  p95?: number;
  p99?: number;
}

export interface Activity {
  /** Jobs synced since start (a scan page is one job). */
  jobsSynced: number;
  latency: Latency;
  last: SyncedJob[];
}

const LAST = 20;
const LATENCY_SAMPLES = 1000;

function describe(job: NonNullable<RecordResult['job']>): string {
  if (job.kind === 'scan' || job.kind === 'relationship-scan')
    return `${job.kind} project ${job.projectId} page ${job.page}`;
  if (job.kind === 'relationship-pull') return `relationship-pull ${job.relationshipIds.join(', ')}`;
  const key = 'documentKey' in job && job.documentKey ? ` (${job.documentKey})` : '';
  return `${job.kind} item ${job.itemId}${key}`;
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * What the local workers synced: the same sync latency the worker publishes as `sync_latency_ms`
 * in AWS (the CloudWatch dashboard's p50/p95/p99), and the last jobs synced.
 */
export function activityRecorder() {
  const last: SyncedJob[] = [];
  const latencies: number[] = [];
  let jobsSynced = 0;
  return {
    record(result: RecordResult, latencyMs: number | undefined) {
      if (result.outcome.type !== 'done' || !result.job) return;
      jobsSynced++;
      last.unshift({
        at: Date.now(),
        env: result.job.env,
        what: describe(result.job),
        ...(latencyMs === undefined ? {} : { latencyMs }),
      });
      last.length = Math.min(last.length, LAST);
      if (latencyMs !== undefined) {
        latencies.push(latencyMs);
        if (latencies.length > LATENCY_SAMPLES) latencies.shift();
      }
    },
    read(): Activity {
      const sorted = [...latencies].sort((a, b) => a - b);
      const latency: Latency = { count: sorted.length };
      for (const p of [50, 95, 99] as const) {
        const v = percentile(sorted, p);
        if (v !== undefined) latency[`p${p}`] = v;
      }
      return { jobsSynced, latency, last: [...last] };
    },
  };
}

export type ActivityRecorder = ReturnType<typeof activityRecorder>;

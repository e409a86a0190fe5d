import type { Deployment } from '../ops/deployment';
import { runProgress } from '../ops/reconcile-watch';
import { readStatus, type Status } from '../ops/status';
import type { Activity } from './activity';
import type { CallSecond } from './jama-meter';
import type { LocalStack } from './local-stack';

/** One reconciliation the local process started, with its progress. */
export interface RunView {
  runId: string;
  mode: string;
  projects: number;
  finished: number;
  reconcileBacklog: number;
  state: 'running' | 'finished' | 'stalled';
}

/** What the dashboard shows: `status --json`'s figures read the same way, plus history and activity. */
export interface DashboardData {
  at: number;
  status: Status;
  /** Per-second Jama calls of each environment (accepted vs 429), counted in its Jama client. */
  history: Record<string, CallSecond[]>;
  activity: Activity;
  runs: RunView[];
}

/** Seconds of call history the page asks for. */
export const CHART_SECONDS = 120;

/**
 * The dashboard's data: {@link readStatus} on the same Deployment shape operator commands use (so
 * the numbers match `jama-sync status --json`), the per-second call history, the workers' sync
 * latency and last synced jobs, and the progress of the last runs started here.
 */
export async function dashboardData(d: Deployment, stack: LocalStack, since: number): Promise<DashboardData> {
  const recent = stack.reconcile.recent.slice(0, 5);
  const [status, progress] = await Promise.all([
    readStatus(d),
    Promise.all(recent.map((summary) => runProgress(d, summary))),
  ]);
  return {
    at: Date.now(),
    status,
    history: stack.jamaHistory(Math.max(since, Date.now() - CHART_SECONDS * 1000)),
    activity: stack.workers.activity.read(),
    runs: recent.map((summary, i) => {
      const p = progress[i] as (typeof progress)[number];
      return {
        runId: summary.runId,
        mode: summary.mode,
        projects: p.started,
        finished: p.finished,
        reconcileBacklog: p.reconcileBacklog,
        state: p.done ? 'finished' : p.stalled ? 'stalled' : 'running',
      };
    }),
  };
}

import { type QuarantineCount, readQuarantineCount } from '../adapters/sqs-quarantine';
import { type ActiveRun, activeRuns } from './active-runs';
import type { Deployment, LocalCounters } from './deployment';
import { type LimiterStatus, limiterStatus } from './limiter-status';
import { type MirrorCount, mirrorCount } from './mirror';
import { type QueueStats, queueStats } from './queue-stats';

/** Everything `jama-sync status` shows. */
export interface Status {
  target: string;
  kind: Deployment['kind'];
  queues: QueueStats[];
  limiters: LimiterStatus[];
  /** Reconciliation runs in progress: pages and items done of Jama's total, rate, time left. */
  runs: ActiveRun[];
  /** Calls, 429s, webhook events and reconcile runs: the local process's counters (AWS: the dashboard). */
  counters?: LocalCounters;
  mirror?: MirrorCount;
  /** Items quarantined per environment (dead letters whose reason starts QUARANTINED). */
  quarantined?: ({ env: string } & QuarantineCount)[];
  webhookUrl?: string;
  dashboardUrl?: string;
}

/** Reads queues, limiters, the mirror and (locally) the process's counters, in parallel. */
export async function readStatus(d: Deployment): Promise<Status> {
  const [queues, limiters, mirror, counters, runs, quarantined] = await Promise.all([
    queueStats(d),
    limiterStatus(d),
    mirrorCount(d),
    d.counters?.(),
    activeRuns(d),
    Promise.all(
      d.environments.map(async (env) => ({
        env,
        ...(await readQuarantineCount(d.dynamodb, d.tables.state, env)),
      })),
    ),
  ]);
  return {
    target: d.label,
    kind: d.kind,
    queues,
    limiters,
    runs,
    quarantined,
    ...(counters ? { counters } : {}),
    ...(mirror ? { mirror } : {}),
    ...(d.webhookUrl ? { webhookUrl: d.webhookUrl } : {}),
    ...(d.dashboardUrl ? { dashboardUrl: d.dashboardUrl } : {}),
  };
}

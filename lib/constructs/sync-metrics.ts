import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';

/** Powertools metrics namespace of every jama-sync function (POWERTOOLS_METRICS_NAMESPACE). */
export const NAMESPACE = 'JamaSync';

/** `service` dimension of the worker's metrics (both deployments: jobs and reconcile queue). */
export const WORKER_SERVICE = 'sync-worker';

/** Functions that call Jama, each under its own `service` dimension. */
export const JAMA_CALLERS = [WORKER_SERVICE, 'reconcile'] as const;

/**
 * The metrics the dashboard and alarms read (EMF, namespace JamaSync). Per Jama environment,
 * dimensions `service` (sync-worker or reconcile) and `environment` (the environment's name):
 * - `jama_calls` (Count): one per Jama REST call made.
 * - `jama_429` (Count): one per call Jama answered with 429.
 * - `limiter_rate` (Count/Second, a gauge; read from sync-worker): the limiter's adaptive rate.
 * With only `service` = sync-worker:
 * - `sync_latency_ms` (Milliseconds): from the change (or enqueue) to the sink write.
 * - `records_done|throttled|failed|rejected|deferred` (Count): outcome per queue record.
 * - `records_done` and `sync_latency_ms` again with the `environment` dimension (the worker only).
 * - `items_quarantined` (Count): items set aside as their own dead letters (malformed, too large).
 */
export type JamaMetricName = 'jama_calls' | 'jama_429' | 'limiter_rate';
/** Worker metrics also published per environment (`environment` dimension). */
export type EnvironmentMetricName = JamaMetricName | 'records_done' | 'sync_latency_ms';
export const RECORD_OUTCOMES = ['done', 'throttled', 'failed', 'rejected', 'deferred'] as const;

export function jamaMetric(
  name: EnvironmentMetricName,
  environment: string,
  statistic: string,
  period = Duration.minutes(1),
  service: string = WORKER_SERVICE,
): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName: name,
    dimensionsMap: { service, environment },
    statistic,
    period,
    label: `${name} ${environment}`,
  });
}

/**
 * Sum of a Jama counter over every function that calls Jama. `id` must be unique within the graph
 * or alarm that uses it (CloudWatch metric math ids).
 */
export function jamaTotal(
  name: 'jama_calls' | 'jama_429',
  environment: string,
  id: string,
  period = Duration.minutes(1),
): MathExpression {
  const ids = JAMA_CALLERS.map((_, i) => `${id}s${i}`);
  return new MathExpression({
    expression: ids.map((m) => `FILL(${m}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(
      JAMA_CALLERS.map((service, i) => [ids[i], jamaMetric(name, environment, 'Sum', period, service)]),
    ),
    label: `${name} ${environment}`,
    period,
  });
}

export function workerMetric(name: string, statistic: string, period = Duration.minutes(1)): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName: name,
    dimensionsMap: { service: WORKER_SERVICE },
    statistic,
    period,
    label: `${name} ${statistic}`,
  });
}

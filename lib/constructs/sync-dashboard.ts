import { Duration, Stack } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IMetric,
  MathExpression,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { throttleShare } from './sync-alarms';
import { jamaMetric, jamaTotal, RECORD_OUTCOMES, workerMetric } from './sync-metrics';

export interface SyncDashboardProps {
  /** Work queues by label: the jobs queue and the reconcile queue. */
  queues: Readonly<Record<string, IQueue>>;
  deadLetter: IQueue;
  functions: Readonly<Record<string, IFunction>>;
  environments: readonly { name: string; rateLimit: number }[];
  /** Drawn on the queue-age graph. */
  oldestMessageAgeSeconds: number;
}

const minute = Duration.minutes(1);

/**
 * One CloudWatch dashboard: Jama calls/s against each environment's ceiling, 429s and their
 * share, the limiter's adaptive rate, queue depth and age, the dead-letter queue, sync latency,
 * record outcomes, and the functions' errors, throttles and concurrency.
 */
export class SyncDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SyncDashboardProps) {
    super(scope, id);
    const envs = props.environments;
    const ceilings: HorizontalAnnotation[] = envs.map((e) => ({
      value: e.rateLimit,
      label: `ceiling ${e.name}`,
    }));
    const callsPerSecond = envs.map(
      (e, i) =>
        new MathExpression({
          expression: `c${i} / 60`,
          usingMetrics: { [`c${i}`]: jamaTotal('jama_calls', e.name, `c${i}`, minute) },
          label: `calls/s ${e.name}`,
          period: minute,
        }),
    );
    const fns = Object.entries(props.functions);
    const queues = Object.entries(props.queues);
    const fnMetric = (pick: (fn: IFunction, name: string) => IMetric) =>
      fns.map(([name, fn]) => pick(fn, name));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.hours(3),
    });
    const graph = (
      title: string,
      left: IMetric[],
      extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {},
    ) => new GraphWidget({ title, left, width: 8, height: 6, ...extra });
    this.dashboard.addWidgets(
      graph('Jama calls/s', callsPerSecond, { leftAnnotations: ceilings }),
      graph(
        'Jama 429s',
        envs.map((e, i) => jamaTotal('jama_429', e.name, `t${i}`, minute)),
        { right: envs.map((e, i) => throttleShare(e.name, i, minute)) },
      ),
      graph(
        'Limiter rate (calls/s)',
        envs.map((e) => jamaMetric('limiter_rate', e.name, 'Average')),
        { leftAnnotations: ceilings },
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Queue depth: waiting (left), in flight (right)',
        queues.map(([label, q]) =>
          q.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum', label }),
        ),
        {
          right: queues.map(([label, q]) =>
            q.metricApproximateNumberOfMessagesNotVisible({ period: minute, statistic: 'Maximum', label }),
          ),
        },
      ),
      graph(
        'Oldest job age (s)',
        queues.map(([label, q]) =>
          q.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum', label }),
        ),
        { leftAnnotations: [{ value: props.oldestMessageAgeSeconds, label: 'jobs alarm' }] },
      ),
      graph('Dead-letter queue', [
        props.deadLetter.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }),
        props.deadLetter.metricNumberOfMessagesSent({ period: minute, statistic: 'Sum' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Sync latency (ms)',
        ['p50', 'p95', 'p99'].map((p) => workerMetric('sync_latency_ms', p)),
      ),
      graph('Records', [
        ...RECORD_OUTCOMES.map((o) => workerMetric(`records_${o}`, 'Sum')),
        workerMetric('items_quarantined', 'Sum'),
      ]),
      graph(
        'Function errors (left), throttles (right)',
        fnMetric((fn, name) => fn.metricErrors({ period: minute, label: `${name} errors` })),
        { right: fnMetric((fn, name) => fn.metricThrottles({ period: minute, label: `${name} throttles` })) },
      ),
    );
    // The shared queues' work, split by environment (the worker publishes both per environment).
    this.dashboard.addWidgets(
      graph(
        'Records synced by environment',
        envs.map((e) => jamaMetric('records_done', e.name, 'Sum')),
      ),
      graph(
        'Sync latency p95 by environment (ms)',
        envs.map((e) => jamaMetric('sync_latency_ms', e.name, 'p95')),
      ),
    );
  }
}

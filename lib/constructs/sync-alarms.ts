import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { jamaTotal, workerMetric } from './sync-metrics';

export interface SyncAlarmsProps {
  jobs: IQueue;
  deadLetter: IQueue;
  functions: Readonly<Record<string, IFunction>>;
  environments: readonly { name: string }[];
  /** Alarm when the oldest job waits longer than this. @default 900 */
  oldestMessageAgeSeconds?: number;
  /** Alarm when more than this share of Jama calls answer 429. @default 5 */
  throttleSharePercent?: number;
  /** Creates a topic with this email subscription. */
  email?: string;
  /** Notifies this existing topic instead. */
  topicArn?: string;
}

/**
 * The alarms an operator acts on: anything in the dead-letter queue, a backlog that ages, Jama
 * answering 429 too often (another integration is using the shared 10/s, or the limiter is
 * misconfigured), and function errors. With `email` or `topicArn`, alarms notify an SNS topic.
 */
export class SyncAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic?: ITopic;

  constructor(scope: Construct, id: string, props: SyncAlarmsProps) {
    super(scope, id);
    if (props.topicArn) this.topic = Topic.fromTopicArn(this, 'Topic', props.topicArn);
    else if (props.email) {
      const topic = new Topic(this, 'Topic', { displayName: 'jama-sync alarms', enforceSSL: true });
      topic.addSubscription(new EmailSubscription(props.email));
      this.topic = topic;
    }

    this.add('DeadLetters', {
      metric: props.deadLetter.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      description:
        'jobs in the dead-letter queue: each carries its reason (message attribute jama-sync-reason)',
    });
    this.add('QuarantinedItems', {
      metric: workerMetric('items_quarantined', 'Sum', Duration.minutes(5)),
      threshold: 1,
      description:
        'items Jama returned malformed or too large to store were quarantined (dead letters whose reason starts QUARANTINED); the rest synced',
    });
    const age = props.oldestMessageAgeSeconds ?? 900;
    this.add('OldestJobAge', {
      metric: props.jobs.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: age,
      evaluationPeriods: 2,
      description: `the oldest job has waited more than ${age} s: the backlog is not draining`,
    });
    const share = props.throttleSharePercent ?? 5;
    props.environments.forEach((env, i) => {
      this.add(`ThrottleShare${i}`, {
        metric: throttleShare(env.name, i),
        threshold: share,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `more than ${share}% of calls to Jama environment ${env.name} answered 429`,
      });
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        description: `the ${name} function failed (uncaught error or timeout)`,
      });
    }
  }

  private add(
    id: string,
    o: {
      metric: Metric | MathExpression;
      threshold: number;
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
      description: string;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      metric: o.metric,
      threshold: o.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: o.evaluationPeriods ?? 1,
      ...(o.datapointsToAlarm ? { datapointsToAlarm: o.datapointsToAlarm } : {}),
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `jama-sync: ${o.description}`,
    });
    if (this.topic) {
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
    }
    this.alarms.push(alarm);
  }
}

/** Percentage of an environment's Jama calls (all callers) that met a 429. */
export function throttleShare(env: string, index: number, period = Duration.minutes(5)): MathExpression {
  const calls = `calls${index}`;
  const throttled = `throttled${index}`;
  return new MathExpression({
    expression: `IF(${calls} > 0, 100 * ${throttled} / ${calls}, 0)`,
    usingMetrics: {
      [calls]: jamaTotal('jama_calls', env, calls, period),
      [throttled]: jamaTotal('jama_429', env, throttled, period),
    },
    label: `429 share ${env} (%)`,
    period,
  });
}

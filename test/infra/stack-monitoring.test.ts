import { Match } from 'aws-cdk-lib/assertions';
import { RECONCILE } from '../../src/infra/resources';
import { build, logicalId, MINIMAL, type Resources, resolveIntrinsics } from './support';

const TWO_ENVS = JSON.stringify([
  { name: 'prod', url: 'https://acme.jamacloud.com', projects: [20] },
  { name: 'test', url: 'https://acme-test.jamacloud.com', rateLimit: 5, projects: [30] },
]);
const { template } = build({ environments: TWO_ENVS });
const resources = template.toJSON().Resources as Resources;
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources).map(
  (a) => a.Properties,
);

describe('schedules', () => {
  const reconcile = logicalId(resources, 'AWS::Lambda::Function', 'ReconcileFunction');

  it.each([
    ['incremental runs', RECONCILE.schedules.incremental],
    ['full sweeps', RECONCILE.schedules.full],
  ])('invoke the reconcile function for %s', (_, schedule) => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: schedule.expression,
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [reconcile, 'Arn'] },
          Input: JSON.stringify(schedule.input),
        }),
      ],
    });
  });

  it('follow the schedules given in context', () => {
    const t = build({
      ...MINIMAL,
      incrementalSchedule: 'rate(5 minutes)',
      fullSweepSchedule: 'cron(0 2 ? * SUN *)',
    });
    t.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    t.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 ? * SUN *)' });
  });
});

describe('alarms', () => {
  it('fire on the first message in the dead-letter queue', () => {
    const dlq = logicalId(resources, 'AWS::SQS::Queue', 'QueuesJobsDlq');
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
  });

  it('fire on the first quarantined item', () => {
    const quarantine = alarms.filter((a) => JSON.stringify(a.Metrics ?? []).includes('"items_quarantined"'));
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(JSON.stringify(quarantine[0]?.Metrics)).toContain('"Stat":"Sum"');
  });

  it('fire when the oldest job waits too long', () => {
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 }),
    );
  });

  it('fire on the share of 429s, per Jama environment', () => {
    const shares = alarms.filter((a) => JSON.stringify(a.Metrics ?? []).includes('jama_429'));
    expect(shares).toHaveLength(2);
    for (const [i, env] of ['prod', 'test'].entries()) {
      const body = JSON.stringify(shares[i]?.Metrics);
      expect(body).toContain(`IF(calls${i} > 0, 100 * throttled${i} / calls${i}, 0)`);
      expect(body).toContain(`{"Name":"environment","Value":"${env}"}`);
      expect(shares[i]?.Threshold).toBe(5);
    }
  });

  it('fire on errors of every function', () => {
    const errors = alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda');
    expect(errors).toHaveLength(4);
  });

  it('notify nobody unless asked', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const a of alarms) expect(a.AlarmActions).toBeUndefined();
  });

  it('notify a new topic, TLS only, with an email subscription', () => {
    const t = build({ ...MINIMAL, alarmEmail: 'ops@example.com' }).template;
    const topic = logicalId(t.toJSON().Resources as Resources, 'AWS::SNS::Topic', 'AlarmsTopic');
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    });
  });

  it('notify an existing topic', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:ops';
    const t = build({ ...MINIMAL, alarmTopicArn: arn }).template;
    t.resourceCountIs('AWS::SNS::Topic', 0);
    t.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [arn] });
  });
});

describe('dashboard', () => {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
  const body = JSON.parse(
    String(resolveIntrinsics(dashboards[0]?.Properties.DashboardBody ?? '{}', resources)),
  ) as {
    widgets: { properties: { title: string; metrics: unknown[]; annotations?: { horizontal: unknown[] } } }[];
  };
  const widget = (title: string) =>
    body.widgets.find((w) => w.properties.title.startsWith(title))?.properties;

  it.each([
    ['Jama calls/s', 'jama_calls'],
    ['Jama 429s', 'jama_429'],
    ['Limiter rate', 'limiter_rate'],
    ['Queue depth', 'ApproximateNumberOfMessagesVisible'],
    ['Oldest job age', 'ApproximateAgeOfOldestMessage'],
    ['Dead-letter queue', 'ApproximateNumberOfMessagesVisible'],
    ['Sync latency', 'sync_latency_ms'],
    ['Records', 'records_failed'],
    ['Function errors', 'Errors'],
    ['Records synced by environment', 'records_done'],
    ['Sync latency p95 by environment', 'sync_latency_ms'],
  ])('has a %s graph (%s)', (title, metric) => {
    expect(dashboards).toHaveLength(1);
    expect(JSON.stringify(widget(title)?.metrics)).toContain(`"${metric}"`);
  });

  it('splits records synced and sync latency by environment', () => {
    for (const title of ['Records synced by environment', 'Sync latency p95 by environment']) {
      const metrics = JSON.stringify(widget(title)?.metrics);
      expect(metrics).toContain('"environment","prod"');
      expect(metrics).toContain('"environment","test"');
    }
  });

  it('draws each environment’s rate ceiling on the calls/s graph', () => {
    expect(widget('Jama calls/s')?.annotations?.horizontal).toEqual([
      expect.objectContaining({ label: 'ceiling prod', value: 10 }),
      expect.objectContaining({ label: 'ceiling test', value: 5 }),
    ]);
  });
});

import { configFromContext, contextWarnings, unknownContextKeys } from '../../lib/config/from-context';
import { workerConcurrency } from '../../lib/config/sizing';
import { ConfigError } from '../../src/core/errors';
import { RECONCILE } from '../../src/infra/resources';

const PARTIAL_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jama/prod';
const FULL_ARN = `${PARTIAL_ARN}-AbCdEf`;
const fromContext = (context: Record<string, unknown>) => configFromContext((key) => context[key]);
const minimal = { jamaUrl: 'https://acme.jamacloud.com', projects: '20,21' };
const twoEnvs = JSON.stringify([
  { name: 'prod', url: 'https://acme.jamacloud.com', projects: [20, 21] },
  { name: 'test', url: 'https://acme-test.jamacloud.com', rateLimit: 5, projects: '30' },
]);

describe('configFromContext', () => {
  it('reads the single-environment shortcut as strings, as `cdk deploy -c` passes them', () => {
    const config = fromContext({ ...minimal, rateLimit: '8', jamaSecretArn: FULL_ARN });
    expect(config.environments).toEqual([
      {
        name: 'default',
        url: 'https://acme.jamacloud.com',
        rateLimit: 8,
        backgroundShare: 1,
        projects: [20, 21],
        secretArn: FULL_ARN,
      },
    ]);
    expect(fromContext({ ...minimal, backgroundShare: '0.6' }).environments[0]?.backgroundShare).toBe(0.6);
    expect(() => fromContext({ ...minimal, backgroundShare: '0' })).toThrow(/backgroundShare/);
  });

  it('fills documented defaults', () => {
    const config = fromContext(minimal);
    expect(config).toMatchObject({
      schedules: {
        incremental: RECONCILE.schedules.incremental.expression,
        fullSweep: RECONCILE.schedules.full.expression,
      },
      sinks: { mirror: true },
      webhook: { sources: [{ name: 'jama', env: 'default' }], reservedConcurrency: 5 },
      worker: { batchSize: 50, batchingWindowSeconds: 1, maxConcurrency: 3, reservedConcurrency: 4 },
      alarms: { oldestMessageAgeSeconds: 900, throttleSharePercent: 5 },
      deletionProtection: true,
      tracing: false,
      logLevel: 'INFO',
      logRetentionDays: 30,
    });
    expect(config.sinks.forward).toBeUndefined();
  });

  it('reads several environments from JSON, each with its own rate', () => {
    const config = fromContext({ environments: twoEnvs });
    expect(config.environments.map((e) => [e.name, e.rateLimit, e.projects])).toEqual([
      ['prod', 10, [20, 21]],
      ['test', 5, [30]],
    ]);
    expect(config.webhook.sources).toEqual([
      { name: 'jama-prod', env: 'prod' },
      { name: 'jama-test', env: 'test' },
    ]);
    // 15 calls/s × 0.3 s p95 latency = 4.5 → 5 invocations in flight.
    expect(config.worker).toMatchObject({ maxConcurrency: 5, reservedConcurrency: 6 });
  });

  it('takes sinks, webhook sources with mappings, alarms and tuning', () => {
    const config = fromContext({
      ...minimal,
      mirror: 'false',
      forwardUrl: 'https://hooks.example.com/jama',
      webhookSources: JSON.stringify([
        { name: 'jira', env: 'default', mapping: { type: '"updated"', itemId: 'issue.fields.jamaId' } },
      ]),
      alarmEmail: 'ops@example.com',
      maxConcurrency: '2',
      deletionProtection: 'false',
      logLevel: 'DEBUG',
    });
    expect(config.sinks).toEqual({ mirror: false, forward: { url: 'https://hooks.example.com/jama' } });
    expect(config.webhook.sources[0]?.mapping).toMatchObject({ itemId: 'issue.fields.jamaId' });
    expect(config.alarms.email).toBe('ops@example.com');
    expect(config.worker).toMatchObject({ maxConcurrency: 2, reservedConcurrency: 3 });
    expect(config.deletionProtection).toBe(false);
  });

  it('turns a comma list of webhook sources into sources of the one environment', () => {
    expect(fromContext({ ...minimal, webhookSources: 'jama,ci' }).webhook.sources).toEqual([
      { name: 'jama', env: 'default' },
      { name: 'ci', env: 'default' },
    ]);
    expect(fromContext({ ...minimal, webhookSources: '' }).webhook.sources).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no environment', {}, 'jamaUrl: no Jama environment configured'],
    ['a plain-http Jama', { ...minimal, jamaUrl: 'http://jama.local' }, 'jamaUrl: give an https:// URL'],
    ['no projects', { jamaUrl: minimal.jamaUrl }, 'projects: list at least one Jama project id'],
    ['a non-numeric project', { ...minimal, projects: '20,abc' }, 'projects.1: expected a number'],
    ['a zero rate', { ...minimal, rateLimit: '0' }, 'rateLimit: expected a number > 0'],
    [
      'a rate above Jama’s limit without the override',
      { ...minimal, rateLimit: '50' },
      "rateLimit: 50 is above Jama's limit of 10 calls/s",
    ],
    [
      'both forms of environments',
      { ...minimal, environments: twoEnvs },
      'jamaUrl, projects: give these inside each entry of `environments`',
    ],
    ['environments that are not JSON', { environments: '[{name:prod}]' }, 'environments: not valid JSON'],
    ['environments that are not a list', { environments: '{}' }, 'environments: expected a JSON array'],
    [
      'credentials in context',
      {
        environments: JSON.stringify([{ name: 'p', url: minimal.jamaUrl, projects: [1], clientSecret: 'x' }]),
      },
      'environments.0: remove clientSecret: credentials never go in CDK context',
    ],
    [
      'an environment listed twice',
      {
        environments: JSON.stringify([
          { name: 'prod', url: minimal.jamaUrl, projects: [1] },
          { name: 'prod', url: minimal.jamaUrl, projects: [2] },
        ]),
      },
      'environments: environment `prod` is listed twice',
    ],
    [
      'an unknown environment key',
      { environments: JSON.stringify([{ name: 'p', url: minimal.jamaUrl, projects: [1], rate: 5 }]) },
      'environments.0: Unrecognized key: "rate"',
    ],
    [
      'a bad environment name',
      { ...minimal, environmentName: 'prod env' },
      'environmentName: use 1–64 letters',
    ],
    [
      'a partial secret ARN',
      { ...minimal, jamaSecretArn: PARTIAL_ARN },
      'jamaSecretArn: give the complete secret ARN, ending in the 6-character suffix',
    ],
    [
      'a plural rate of one',
      { ...minimal, incrementalSchedule: 'rate(1 minutes)' },
      'write `rate(1 minute)`',
    ],
    [
      'a cron with both day fields',
      { ...minimal, fullSweepSchedule: 'cron(0 3 * * * *)' },
      'fullSweepSchedule: a cron expression needs `?` in exactly one of day-of-month and day-of-week',
    ],
    [
      'a schedule in prose',
      { ...minimal, incrementalSchedule: 'hourly' },
      'incrementalSchedule: expected `rate(',
    ],
    ['no sink left', { ...minimal, mirror: 'false' }, 'mirror: no sink left'],
    [
      'a forward URL over http',
      { ...minimal, forwardUrl: 'http://x.example.com' },
      'forwardUrl: give an https://',
    ],
    [
      'a forward secret without URL',
      { ...minimal, forwardSecretArn: FULL_ARN },
      'forwardSecretArn: only meaningful',
    ],
    [
      'a big batch without a window',
      { ...minimal, batchSize: '100', batchingWindowSeconds: '0' },
      'batchingWindowSeconds: SQS requires a batching window of at least 1 s when batchSize > 10',
    ],
    [
      'a concurrency below Lambda’s minimum',
      { ...minimal, maxConcurrency: '1' },
      'maxConcurrency: expected at least 2',
    ],
    [
      'two alarm targets',
      { ...minimal, alarmEmail: 'ops@example.com', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' },
      'alarmTopicArn: give alarmEmail (the stack creates a topic) or alarmTopicArn, not both',
    ],
    ['a bad email', { ...minimal, alarmEmail: 'ops' }, 'alarmEmail: give an email address'],
    [
      'an odd log retention',
      { ...minimal, logRetentionDays: '10' },
      'logRetentionDays: expected one of 1, 3, 5',
    ],
    [
      'an unknown log level',
      { ...minimal, logLevel: 'LOUD' },
      'logLevel: Invalid option: expected one of "TRACE"',
    ],
    [
      'a zero alarm share',
      { ...minimal, throttleShareAlarmPercent: '0' },
      'throttleShareAlarmPercent: expected a percentage > 0',
    ],
    [
      'a non-boolean flag',
      { ...minimal, deletionProtection: 'yes' },
      'deletionProtection: expected true or false',
    ],
    [
      'a soft deadline past the timeout',
      { ...minimal, softDeadlineMs: '60000' },
      "softDeadlineMs: must be below the worker's timeout of 60000 ms",
    ],
    [
      'a webhook source of an unknown environment',
      { ...minimal, webhookSources: JSON.stringify([{ name: 'ci', env: 'prod' }]) },
      'webhookSources.0.env: unknown environment `prod`; configured: default',
    ],
    [
      'webhook names without environments when there are several',
      { environments: twoEnvs, webhookSources: 'ci' },
      "webhookSources: with several environments, give JSON naming each source's env",
    ],
    [
      'a mapping that is not JMESPath',
      {
        ...minimal,
        webhookSources: JSON.stringify([
          { name: 'ci', env: 'default', mapping: { type: '"x"', itemId: 'a[' } },
        ]),
      },
      'not a JMESPath expression',
    ],
  ])('rejects %s with a precise message', (_, context, message) => {
    expect(() => fromContext(context)).toThrow(ConfigError);
    expect(() => fromContext(context)).toThrow(message);
  });

  it('lists every problem at once', () => {
    const error = (() => {
      try {
        fromContext({ ...minimal, batchSize: '0', logLevel: 'LOUD' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/^Invalid jama-sync configuration \(CDK context\):/);
    expect(error?.message).toContain('batchSize: expected at least 1');
    expect(error?.message).toContain('logLevel: ');
  });
});

describe('workerConcurrency', () => {
  it.each([
    [10, 300, 3],
    [10, 100, 2],
    [20, 300, 6],
    [10, 1000, 10],
  ])('sizes %d calls/s at a p95 of %d ms to %d invocations', (rate, p95, expected) => {
    expect(workerConcurrency(rate, p95)).toEqual({
      maxConcurrency: expected,
      reservedConcurrency: expected + 1,
    });
  });

  it('takes an explicit maximum over the rule, still reserving one more', () => {
    expect(workerConcurrency(10, 300, 8)).toEqual({ maxConcurrency: 8, reservedConcurrency: 9 });
  });
});

describe('context that is accepted with a warning', () => {
  it('takes a rate above 10 only with -c allowHighRate=true, and warns', () => {
    const config = fromContext({ ...minimal, rateLimit: '50', allowHighRate: 'true' });
    expect(config.environments[0]?.rateLimit).toBe(50);
    expect(contextWarnings(config)).toEqual([
      "Environment default: rateLimit 50 is above Jama's usual 10 calls/s (allowHighRate=true).",
    ]);
    expect(contextWarnings(fromContext(minimal))).toEqual([]);
  });

  it('warns about unknown keys (typos) with the closest known key; CDK’s own keys pass', () => {
    expect(
      unknownContextKeys([
        'jamaUrl',
        'alarmEmial',
        '@aws-cdk/core:checkSecretUsage',
        'aws:cdk:enable-path-metadata',
        'zzz',
      ]),
    ).toEqual([
      'Unknown CDK context key `alarmEmial` ignored: did you mean `alarmEmail`? (docs/deploy.md lists the keys)',
      'Unknown CDK context key `zzz` ignored (docs/deploy.md lists the keys)',
    ]);
  });
});

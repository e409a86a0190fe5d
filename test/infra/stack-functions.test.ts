import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { loadConfig, loadWebhookConfig } from '../../src/config';
import { WORKER_TIMEOUT_SECONDS } from '../../src/infra/resources';
import { allEntries, build, functionEnvironment, logicalId, MINIMAL, type Resources } from './support';

const { template } = build({ ...MINIMAL, forwardUrl: 'https://hooks.example.com/jama' });
const resources = template.toJSON().Resources as Resources;
const fn = (prefix: string) => logicalId(resources, 'AWS::Lambda::Function', prefix);
const WORKER = fn('WorkerFunction');
const RECONCILE_WORKER = fn('ReconcileWorkerFunction');
const WEBHOOK = fn('WebhookFunction');
const RECONCILE = fn('ReconcileFunction');

describe('functions', () => {
  it('run Node.js 22 on arm64 without X-Ray (off by default: docs/deploy.md) and a log group with retention', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('xray:');
    for (const id of [WORKER, RECONCILE_WORKER, WEBHOOK, RECONCILE])
      expect(resources[id]?.Properties.TracingConfig).toBeUndefined();
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('give the workers the timeout src/infra/resources.ts sizes the queues for', () => {
    for (const id of [WORKER, RECONCILE_WORKER]) {
      expect(resources[id]?.Properties.Timeout).toBe(WORKER_TIMEOUT_SECONDS);
    }
  });

  it('each have reserved concurrency', () => {
    for (const id of [WORKER, RECONCILE_WORKER, WEBHOOK, RECONCILE]) {
      expect(resources[id]?.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
    }
    expect(resources[WEBHOOK]?.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(resources[RECONCILE]?.Properties.ReservedConcurrentExecutions).toBe(1);
  });
});

describe('event sources', () => {
  it('deliver batches with a window, report item failures, and cap pollers on the jobs queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: WORKER },
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // 10 calls/s × 0.3 s p95 latency = 3 calls in flight.
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('drain reconciliation on its own queue with enough pollers to read slices side by side', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: RECONCILE_WORKER },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it.each([
    ['the default', MINIMAL],
    ['an explicit maximum', { ...MINIMAL, maxConcurrency: '7' }],
    [
      'several environments',
      {
        environments: JSON.stringify(
          [1, 2, 3].map((i) => ({ name: `e${i}`, url: `https://e${i}.jamacloud.com`, projects: [i] })),
        ),
      },
    ],
  ])('never let Lambda throttle SQS deliveries: reserved > maximum concurrency (%s)', (_, context) => {
    const built = build(context).template.toJSON().Resources as Resources;
    const mappings = Object.values(built).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      const target = built[(m.Properties.FunctionName as { Ref: string }).Ref];
      const max = (m.Properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;
      expect(max).toBeGreaterThanOrEqual(2);
      expect(target?.Properties.ReservedConcurrentExecutions).toBeGreaterThan(max);
    }
  });
});

describe('webhook endpoint', () => {
  it('is a Function URL; requests are authenticated by HMAC in the handler', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [WEBHOOK, 'Arn'] },
    });
    template.hasOutput('WebhookUrl', {});
  });
});

describe('environment variables', () => {
  const secretish = /SECRET(?!_ARN$)|PASSWORD|TOKEN|CLIENT_ID/;

  it('carry secrets as ARNs only, never values', () => {
    for (const id of [WORKER, RECONCILE_WORKER, WEBHOOK, RECONCILE]) {
      const env = functionEnvironment(resources, id);
      expect(Object.keys(env).filter((k) => secretish.test(k))).toEqual([]);
      expect(JSON.stringify(env)).not.toMatch(/REPLACE_ME|clientSecret|password|GenerateSecretString/);
    }
  });

  it('are exactly what the worker reads, and src/config.ts accepts them', () => {
    const env = functionEnvironment(resources, WORKER);
    expect(Object.keys(env).sort()).toEqual(
      [
        'JAMA_SYNC_ENVIRONMENTS',
        'JAMA_SYNC_STATE_TABLE',
        'JAMA_SYNC_MIRROR_TABLE',
        'JAMA_SYNC_JOBS_QUEUE_URL',
        'JAMA_SYNC_DLQ_URL',
        'JAMA_SYNC_FORWARD_URL',
        'JAMA_SYNC_FORWARD_SECRET_ARN',
        'JAMA_SYNC_MAX_FAILURES',
        'JAMA_SYNC_BACKOFF_CAP_SECONDS',
        'JAMA_SYNC_LIMITER_MAX_WAIT_MS',
        'JAMA_SYNC_SOFT_DEADLINE_MS',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_LOG_LEVEL',
        'NODE_OPTIONS',
      ].sort(),
    );
    const config = loadConfig(env);
    expect(config.environments).toEqual([
      expect.objectContaining({
        name: 'default',
        rateLimit: 10,
        projects: [20, 21],
        secretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      }),
    ]);
    expect(config.jobsQueueUrl).toMatch(/QueuesJobs/);
    expect(config.forward).toEqual({
      url: 'https://hooks.example.com/jama',
      secretArn: expect.stringMatching(/^arn:/),
    });
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('JamaSync');
  });

  it('point the reconcile worker at its own queue', () => {
    const config = loadConfig(functionEnvironment(resources, RECONCILE_WORKER));
    expect(config.jobsQueueUrl).toMatch(/QueuesReconcile/);
    expect(config.deadLetterQueueUrl).toMatch(/QueuesJobsDlq/);
  });

  it('let the reconcile function enqueue on the reconcile queue', () => {
    const config = loadConfig(functionEnvironment(resources, RECONCILE));
    expect(config.reconcileQueueUrl).toMatch(/QueuesReconcile/);
    expect(config.environments[0]?.projects).toEqual([20, 21]);
  });

  it('give the webhook its sources, each with a secret ARN', () => {
    const env = functionEnvironment(resources, WEBHOOK);
    expect(
      Object.keys(env)
        .filter((k) => !k.startsWith('POWERTOOLS_') && k !== 'NODE_OPTIONS')
        .sort(),
    ).toEqual(['JAMA_SYNC_JOBS_QUEUE_URL', 'JAMA_SYNC_STATE_TABLE', 'JAMA_SYNC_WEBHOOK_SOURCES']);
    expect(loadWebhookConfig(env).sources).toEqual([
      expect.objectContaining({ name: 'jama', env: 'default', secretArn: expect.stringMatching(/^arn:/) }),
    ]);
  });
});

describe('without the webhook and reconcile handlers', () => {
  it('deploys the workers alone and says what is missing', () => {
    // The warnings are the point here; keep them out of the test output.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { stack, template: t } = build(MINIMAL, { worker: allEntries().worker });
    t.resourceCountIs('AWS::Lambda::Function', 2);
    t.resourceCountIs('AWS::Lambda::Url', 0);
    t.resourceCountIs('AWS::Events::Rule', 0);
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('handler.ts not found'),
    );
    expect(warnings).toHaveLength(2);
    quiet.mockRestore();
  });
});

import fc from 'fast-check';
import {
  type Config,
  loadConfig,
  loadWebhookConfig,
  toEnvironment,
  toWebhookEnvironment,
} from '../../../src/config';

const QUEUE = 'http://127.0.0.1:9324/000000000000/jobs';

/** Configs as loadConfig returns them: every field that may be absent, absent or present. */
const configs = fc.record({
  environments: fc.uniqueArray(
    fc.record({
      name: fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
      url: fc.constantFrom('https://jama.example.com', 'http://127.0.0.1:8080'),
      rateLimit: fc.integer({ min: 1, max: 1000 }),
      projects: fc.array(fc.integer({ min: 1, max: 99_999 }), { maxLength: 3 }),
      backgroundShare: fc.constantFrom(0.25, 0.5, 1),
      secretArn: fc.constant('arn:aws:secretsmanager:eu-west-1:123456789012:secret:jama-AbCdEf'),
    }),
    { minLength: 1, maxLength: 3, selector: (e) => e.name },
  ),
  stateTable: fc.constantFrom('state', 'jama-sync-state'),
  mirrorTable: fc.option(fc.constant('mirror'), { nil: undefined }),
  jobsQueueUrl: fc.constant(QUEUE),
  deadLetterQueueUrl: fc.constant(`${QUEUE}-dlq`),
  forward: fc.option(
    fc.record({
      url: fc.constant('https://hooks.example.com/jama'),
      secret: fc.option(fc.constant('a-forward-secret-of-16+'), { nil: undefined }),
      secretArn: fc.constant('arn:aws:secretsmanager:eu-west-1:123456789012:secret:fwd-AbCdEf'),
    }),
    { nil: undefined },
  ),
  maxFailures: fc.integer({ min: 1, max: 100 }),
  backoffCapSeconds: fc.integer({ min: 3, max: 900 }),
  outageBudgetSeconds: fc.integer({ min: 0, max: 86_400 }),
  limiterMaxWaitMs: fc.integer({ min: 0, max: 60_000 }),
  limiterMaxLatenessMs: fc.integer({ min: 0, max: 100 }),
  softDeadlineMs: fc.integer({ min: 0, max: 600_000 }),
  reconcileQueueUrl: fc.constantFrom(QUEUE, `${QUEUE}-reconcile`),
  reconcileOverlapMs: fc.integer({ min: 0, max: 86_400_000 }),
  reconcileLeaseMs: fc.integer({ min: 60_000, max: 7 * 86_400_000 }),
  reconcileStallMs: fc.integer({ min: 60_000, max: 7 * 86_400_000 }),
});

describe('the environment contract', () => {
  it('loadConfig(toEnvironment(c)) equals c', () => {
    fc.assert(
      fc.property(configs, fc.option(fc.constant('default'), { nil: undefined }), (config, eventBus) => {
        const c: Config = { ...config, ...(config.mirrorTable ? { eventBus } : {}) };
        expect(loadConfig(toEnvironment(c))).toEqual(c);
      }),
      { numRuns: 200 },
    );
  });

  it('writes only the parts given, each under its one name', () => {
    expect(toEnvironment({ reconcileQueueUrl: QUEUE, maxFailures: 3 })).toEqual({
      JAMA_SYNC_RECONCILE_QUEUE_URL: QUEUE,
      JAMA_SYNC_MAX_FAILURES: '3',
    });
  });

  it('round-trips the webhook configuration', () => {
    const c = {
      sources: [
        { name: 'ci', env: 'prod', secret: 'sixteen-characters!', mapping: 'native' as const },
        {
          name: 'alm',
          env: 'prod',
          secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:alm-AbCdEf',
          mapping: { type: "'item.updated'", itemId: 'id' },
        },
      ],
      stateTable: 'state',
      jobsQueueUrl: QUEUE,
      pendingTtlSeconds: 600,
    };
    expect(loadWebhookConfig(toWebhookEnvironment(c))).toEqual(c);
  });
});

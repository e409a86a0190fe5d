import { loadConfig } from '../../../src/config';

const base = {
  JAMA_SYNC_URL: 'https://acme.jamacloud.com',
  JAMA_SYNC_CLIENT_ID: 'id',
  JAMA_SYNC_CLIENT_SECRET: 'secret',
  JAMA_SYNC_STATE_TABLE: 'state',
  JAMA_SYNC_JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/jobs',
  JAMA_SYNC_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/1/dlq',
};

describe('reconcile configuration', () => {
  it('defaults: no projects, a 2-minute overlap, a 6-hour lease, the jobs queue', () => {
    const config = loadConfig(base);
    expect(config.environments[0]?.projects).toEqual([]);
    expect(config).toMatchObject({
      reconcileOverlapMs: 120_000,
      reconcileLeaseMs: 6 * 3_600_000,
      reconcileQueueUrl: base.JAMA_SYNC_JOBS_QUEUE_URL,
    });
  });

  it('reads JAMA_SYNC_PROJECTS for the single environment, and the reconcile keys', () => {
    const config = loadConfig({
      ...base,
      JAMA_SYNC_PROJECTS: '20, 21',
      JAMA_SYNC_RECONCILE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/reconcile',
      JAMA_SYNC_RECONCILE_OVERLAP_MS: '60000',
    });
    expect(config.environments[0]?.projects).toEqual([20, 21]);
    expect(config.reconcileQueueUrl).toMatch(/reconcile$/);
    expect(config.reconcileOverlapMs).toBe(60_000);
  });

  it('reads projects from each JAMA_SYNC_ENVIRONMENTS entry', () => {
    const { JAMA_SYNC_URL: _u, JAMA_SYNC_CLIENT_ID: _i, JAMA_SYNC_CLIENT_SECRET: _s, ...rest } = base;
    const environments = [
      { name: 'prod', url: base.JAMA_SYNC_URL, clientId: 'a', clientSecret: 'b', projects: [30] },
    ];
    const config = loadConfig({ ...rest, JAMA_SYNC_ENVIRONMENTS: JSON.stringify(environments) });
    expect(config.environments[0]?.projects).toEqual([30]);
  });

  it.each([
    [
      'a malformed JAMA_SYNC_PROJECTS',
      { JAMA_SYNC_PROJECTS: '20;21' },
      /JAMA_SYNC_PROJECTS: expected project ids/,
    ],
    ['a negative overlap', { JAMA_SYNC_RECONCILE_OVERLAP_MS: '-1' }, /JAMA_SYNC_RECONCILE_OVERLAP_MS/],
    ['a lease under a minute', { JAMA_SYNC_RECONCILE_LEASE_MS: '1000' }, /JAMA_SYNC_RECONCILE_LEASE_MS/],
  ])('rejects %s, naming the key', (_name, env, why) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(why);
  });
});

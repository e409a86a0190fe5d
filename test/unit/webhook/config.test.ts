import { loadWebhookConfig } from '../../../src/config';

const base = { JAMA_SYNC_STATE_TABLE: 'state', JAMA_SYNC_JOBS_QUEUE_URL: 'http://127.0.0.1:1/q/jobs' };
const sources = (list: unknown) => ({ ...base, JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify(list) });
const secret = 'sixteen-chars-or-more';

describe('webhook configuration', () => {
  it('reads sources with their defaults: native mapping, a 900 s marker TTL', () => {
    const config = loadWebhookConfig(sources([{ name: 'ci', env: 'prod', secret }]));
    expect(config).toEqual({
      sources: [{ name: 'ci', env: 'prod', secret, mapping: 'native' }],
      stateTable: 'state',
      jobsQueueUrl: base.JAMA_SYNC_JOBS_QUEUE_URL,
      pendingTtlSeconds: 900,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('defaults a source to the only Jama environment, and refuses one no worker knows', () => {
    const env = { ...sources([{ name: 'ci', secret }]), JAMA_SYNC_URL: 'https://jama.example.com' };
    expect(loadWebhookConfig(env).sources[0]?.env).toBe('default');
    const two = JSON.stringify([{ name: 'a' }, { name: 'b' }]);
    expect(() => loadWebhookConfig({ ...env, JAMA_SYNC_ENVIRONMENTS: two })).toThrow(/env: required unless/);
    expect(() =>
      loadWebhookConfig({ ...sources([{ name: 'ci', env: 'c', secret }]), JAMA_SYNC_ENVIRONMENTS: two }),
    ).toThrow(/`c` is not a configured Jama environment/);
  });

  it('lists every problem at once', () => {
    const attempt = () =>
      loadWebhookConfig({
        JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify([
          { name: 'ci', env: 'e', secret: 'short' },
          { name: 'ci', env: 'e', secret, secretArn: 'arn:aws:secretsmanager:x' },
          { name: 'j', env: 'e', secretArn: 'arn:x', mapping: { type: 'a.[', itemId: 'id' } },
          { name: 'ok', env: 'e', secret },
          { name: 'ok', env: 'e', secret },
        ]),
        JAMA_SYNC_PENDING_TTL_SECONDS: '5',
      });
    expect(attempt).toThrow(/JAMA_SYNC_STATE_TABLE/);
    expect(attempt).toThrow(/JAMA_SYNC_JOBS_QUEUE_URL/);
    expect(attempt).toThrow(/JAMA_SYNC_PENDING_TTL_SECONDS/);
    expect(attempt).toThrow(/JAMA_SYNC_WEBHOOK_SOURCES\[0\]\.secret: use at least 16/);
    expect(attempt).toThrow(
      /JAMA_SYNC_WEBHOOK_SOURCES\[1\]\.\(value\): give exactly one of secret or secretArn/,
    );
    expect(attempt).toThrow(/JAMA_SYNC_WEBHOOK_SOURCES\[2\]\.mapping\.type: not a JMESPath expression/);
    expect(attempt).toThrow(/source `ok` is listed twice/);
  });

  it.each([
    ['missing', undefined, /JAMA_SYNC_WEBHOOK_SOURCES/],
    ['not JSON', '[{', /JAMA_SYNC_WEBHOOK_SOURCES: not valid JSON/],
    ['not an array', '{}', /JAMA_SYNC_WEBHOOK_SOURCES: expected a JSON array/],
    ['empty', '[]', /JAMA_SYNC_WEBHOOK_SOURCES: list at least one source/],
  ])('refuses JAMA_SYNC_WEBHOOK_SOURCES %s', (_name, value, reason) => {
    expect(() => loadWebhookConfig({ ...base, JAMA_SYNC_WEBHOOK_SOURCES: value })).toThrow(reason);
  });
});

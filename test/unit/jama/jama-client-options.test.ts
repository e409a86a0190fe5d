import { JamaClient } from '../../../src/adapters/jama/jama-client';
import { type JamaClientOptions, normaliseJamaUrl } from '../../../src/adapters/jama/options';
import { ConfigError } from '../../../src/core/errors';
import {
  CountingLimiter,
  item,
  single,
  startJamaHttpStub,
  TOKEN_PATH,
  tokenReply,
} from '../../support/jama-http-stub';

const base = (): JamaClientOptions => ({
  url: 'https://tenant.jamacloud.com',
  credentials: { type: 'oauth', clientId: 'id', clientSecret: 'secret' },
  limiter: new CountingLimiter(),
});

describe('jama client › base URL', () => {
  it.each([
    ['https://tenant.jamacloud.com', 'https://tenant.jamacloud.com', '/rest/v1', '/rest/oauth/token'],
    ['https://tenant.jamacloud.com/', 'https://tenant.jamacloud.com', '/rest/v1', '/rest/oauth/token'],
    ['https://tenant.jamacloud.com/rest/v1', 'https://tenant.jamacloud.com', '/rest/v1', '/rest/oauth/token'],
    [
      'https://tenant.jamacloud.com/rest/v1/',
      'https://tenant.jamacloud.com',
      '/rest/v1',
      '/rest/oauth/token',
    ],
    [
      'https://tenant.jamacloud.com/rest/latest',
      'https://tenant.jamacloud.com',
      '/rest/v1',
      '/rest/oauth/token',
    ],
    ['  https://tenant.jamacloud.com//  ', 'https://tenant.jamacloud.com', '/rest/v1', '/rest/oauth/token'],
    [
      'https://jama.corp.example:8443/jama/rest/v1/',
      'https://jama.corp.example:8443/jama',
      '/jama/rest/v1',
      '/jama/rest/oauth/token',
    ],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010', '/rest/v1', '/rest/oauth/token'],
  ])('normalises %s', (input, display, restPath, tokenPath) => {
    expect(normaliseJamaUrl(input)).toMatchObject({ display, restPath, tokenPath });
  });

  it.each([
    ['tenant.jamacloud.com', /base URL like https:\/\/tenant.jamacloud.com/],
    ['ftp://tenant.jamacloud.com', /https:\/\//],
    ['https://tenant.jamacloud.com/rest/v1?x=1', /without a query/],
    ['https://u:p@tenant.jamacloud.com', /without credentials/],
  ])('rejects %s', (input, message) => {
    expect(() => normaliseJamaUrl(input)).toThrow(message);
  });

  it('sends REST calls and the token request under a path prefix', async () => {
    const fake = await startJamaHttpStub((req) =>
      req.path === '/jama/rest/oauth/token' ? tokenReply() : single(item(1)),
    );
    const jama = new JamaClient({ ...base(), url: `${fake.url}/jama/rest/v1/` });
    await jama.getItem(1);
    await jama.close();
    await fake.close();
    expect(fake.requests.map((r) => r.path)).toEqual(['/jama/rest/oauth/token', '/jama/rest/v1/items/1']);
    expect(jama.baseUrl).toBe(`${fake.url}/jama`);
  });

  it('uses the plain token path without a prefix', () => {
    expect(normaliseJamaUrl('https://t.jamacloud.com').tokenPath).toBe(TOKEN_PATH);
  });
});

describe('jama client › options', () => {
  it.each([
    [{ timeoutMs: 0 }, 'Expected `timeoutMs` to be a number > 0, got `0`'],
    [{ timeoutMs: Number.NaN }, 'Expected `timeoutMs` to be a number > 0, got `NaN`'],
    [{ connections: 0 }, 'Expected `connections` to be an integer ≥ 1, got `0`'],
    [{ connections: 2.5 }, 'Expected `connections` to be an integer ≥ 1, got `2.5`'],
    [{ headersTimeoutMs: -1 }, 'Expected `headersTimeoutMs` to be a number > 0, got `-1`'],
    [
      { bodyTimeoutMs: Number.POSITIVE_INFINITY },
      'Expected `bodyTimeoutMs` to be a number > 0, got `Infinity`',
    ],
    [{ tokenRefreshMarginMs: -5 }, 'Expected `tokenRefreshMarginMs` to be a number ≥ 0, got `-5`'],
    [
      { referenceDataTtlMs: '60' as unknown as number },
      'Expected `referenceDataTtlMs` to be a number ≥ 0, got `60`',
    ],
    [{ maxWaitMs: -1 }, 'Expected `maxWaitMs` to be a number ≥ 0, got `-1`'],
    [{ url: '' }, "Expected `url` to be Jama's base URL like https://tenant.jamacloud.com, got ``"],
    [{ limiter: {} as never }, 'Expected `limiter` to be a RateLimiter'],
    [
      { credentials: { type: 'oauth', clientId: 'id', clientSecret: '' } },
      'Expected `credentials.clientSecret` to be a non-empty string',
    ],
    [
      { credentials: { type: 'basic', username: '', password: 'p' } },
      'Expected `credentials.username` to be a non-empty string',
    ],
    [{ credentials: undefined as never }, "Expected `credentials` to be { type: 'oauth'"],
  ] as [Partial<JamaClientOptions>, string][])('rejects %p', (override, message) => {
    expect(() => new JamaClient({ ...base(), ...override })).toThrow(ConfigError);
    expect(() => new JamaClient({ ...base(), ...override })).toThrow(message);
  });

  it('lists every problem in one error', () => {
    expect(() => new JamaClient({ ...base(), timeoutMs: 0, connections: 0 })).toThrow(
      'Expected `connections` to be an integer ≥ 1, got `0`; Expected `timeoutMs` to be a number > 0, got `0`',
    );
  });

  it('never echoes a secret in a validation error', () => {
    try {
      new JamaClient({
        ...base(),
        credentials: { type: 'oauth', clientId: '', clientSecret: 'very-secret-value' },
      });
    } catch (error) {
      expect(String(error)).not.toContain('very-secret-value');
      return;
    }
    throw new Error('expected a ConfigError');
  });

  it('works with defaults only', async () => {
    const jama = new JamaClient(base());
    expect(jama.baseUrl).toBe('https://tenant.jamacloud.com');
    expect(jama.stats()).toEqual({ calls: 0, byStatus: {} });
    await jama.close();
    await expect(jama.getItem(1)).rejects.toThrow('JamaClient is closed');
  });
});

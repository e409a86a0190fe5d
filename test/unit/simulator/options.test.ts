import { applyOptionsPatch, resolveOptions } from '../../../src/simulator/options';

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveOptions()).toEqual({
      host: '127.0.0.1',
      port: 0,
      seed: 1,
      projects: 3,
      itemsPerProject: 100,
      relationshipsPerItem: 0,
      relationshipPaging: 'lastId',
      rateLimit: 10,
      retryAfterSeconds: undefined,
      latencyMs: { fixed: 0, jitter: 0 },
      foreignRate: 0,
      faults: { serverErrorRate: 0, resetRate: 0, slowRate: 0, slowMs: 2000, garbageRate: 0 },
      clients: [{ clientId: 'jama-sync', clientSecret: 'jama-sync-secret' }],
      users: [{ username: 'admin', password: 'admin' }],
      tokenTtlSeconds: 3599,
    });
  });

  it.each([
    [{ rateLimit: -1 }, 'Expected `rateLimit` to be an integer ≥ 0, got `-1`.'],
    [{ rateLimit: 2.5 }, 'Expected `rateLimit` to be an integer ≥ 0, got `2.5`.'],
    [{ faults: { resetRate: 2 } }, 'Expected `faults.resetRate` to be a number from 0 to 1, got `2`.'],
    [{ projects: 0 }, 'Expected `projects` to be an integer from 1 to 1000, got `0`.'],
    [{ latencyMs: { fixed: -5, jitter: 0 } }, 'Expected `latencyMs.fixed` to be a number ≥ 0, got `-5`.'],
  ])('rejects %j with a precise message', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });
});

describe('applyOptionsPatch', () => {
  it('changes only what the patch names, and removes Retry-After with undefined', () => {
    const withHeader = applyOptionsPatch(resolveOptions(), { retryAfterSeconds: 3, rateLimit: 5 });
    expect(withHeader).toMatchObject({ retryAfterSeconds: 3, rateLimit: 5, foreignRate: 0 });
    expect(applyOptionsPatch(withHeader, { retryAfterSeconds: undefined }).retryAfterSeconds).toBeUndefined();
    expect(applyOptionsPatch(withHeader, { foreignRate: 2 }).retryAfterSeconds).toBe(3);
  });
});

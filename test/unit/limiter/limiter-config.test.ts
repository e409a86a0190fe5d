import { ConfigError } from '../../../src/core/errors';
import { JITTER_BUDGET_MS, resolveLimiterConfig, safeCeiling } from '../../../src/core/limiter/config';

describe('limiter config', () => {
  it('defaults to Jama’s 10/s with a 9/s ceiling, no bursts and a 2 s wait', () => {
    const config = resolveLimiterConfig();
    expect(config).toMatchObject({
      limit: 10,
      ceiling: 9,
      burst: 1,
      maxWaitMs: 2000,
      floor: 0.5,
      toleranceMs: 0,
      kneeMargin: 0.9,
      probeStep: 0,
      cleanPeriodMs: 2000,
      regainFactor: 1.25,
      kneeTtlMs: 60_000,
      backgroundShare: 1,
      backgroundHorizonMs: 150,
      resumeHorizonMs: 1000,
      resumeWindowMs: 3000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [10, 1, 9],
    [20, 1, 18],
    [10, 2, 8.1],
    [5, 1, 4.5],
  ])('derives the default ceiling for limit %p, burst %p: %p/s', (limit, burst, ceiling) => {
    expect(resolveLimiterConfig({ limit, burst }).ceiling).toBe(ceiling);
  });

  it('budgets 2 × 50 ms of clock skew plus 11 ms of send jitter, which 9/s at 10/s tolerates', () => {
    expect(JITTER_BUDGET_MS).toBe(111);
    expect(safeCeiling(10, JITTER_BUDGET_MS)).toBeGreaterThanOrEqual(9);
    expect(safeCeiling(10, 100)).toBeCloseTo(9.09, 2);
  });

  it.each([
    [{ limit: 0 }, 'Expected `limit` to be a number > 0, got `0`'],
    [{ limit: Number.NaN }, 'Expected `limit` to be a number > 0, got `NaN`'],
    [{ ceiling: 11 }, 'Expected `ceiling` to be a number in (0, 10] (the limit), got `11`'],
    [{ burst: 1.5 }, 'Expected `burst` to be an integer in [1, 10], got `1.5`'],
    [{ maxWaitMs: -1 }, 'Expected `maxWaitMs` to be a number ≥ 0, got `-1`'],
    [{ floor: 9.5 }, 'Expected `floor` to be a number in (0, 9] (the ceiling), got `9.5`'],
    [{ cutFactor: 1 }, 'Expected `cutFactor` to be a number in (0, 1), got `1`'],
    [{ cleanPeriodMs: 0 }, 'Expected `cleanPeriodMs` to be a number > 0, got `0`'],
    [{ regainStep: 0 }, 'Expected `regainStep` to be a number > 0, got `0`'],
    [{ kneeMargin: 0 }, 'Expected `kneeMargin` to be a number in (0, 1], got `0`'],
    [{ kneeMargin: 1.1 }, 'Expected `kneeMargin` to be a number in (0, 1], got `1.1`'],
    [{ probeStep: 0.6 }, 'Expected `probeStep` to be a number in [0, 0.5] (the regain step), got `0.6`'],
    [{ probeStep: -0.1 }, 'Expected `probeStep` to be a number in [0, 0.5] (the regain step), got `-0.1`'],
    [{ resumeHorizonMs: -1 }, 'Expected `resumeHorizonMs` to be a number ≥ 0, got `-1`'],
    [{ resumeWindowMs: Number.NaN }, 'Expected `resumeWindowMs` to be a number ≥ 0, got `NaN`'],
    [{ backgroundShare: 0 }, 'Expected `backgroundShare` to be a number in (0, 1], got `0`'],
    [{ backgroundShare: 1.5 }, 'Expected `backgroundShare` to be a number in (0, 1], got `1.5`'],
    [{ backgroundHorizonMs: -1 }, 'Expected `backgroundHorizonMs` to be a number ≥ 0, got `-1`'],
    [{ regainFactor: 0.9 }, 'Expected `regainFactor` to be a number ≥ 1, got `0.9`'],
    [{ kneeTtlMs: 0 }, 'Expected `kneeTtlMs` to be a number > 0, got `0`'],
    [{ limit: '10' as unknown as number }, 'Expected `limit` to be a number > 0, got `10`'],
  ])('rejects %p with a precise message', (options, message) => {
    expect(() => resolveLimiterConfig(options)).toThrow(new ConfigError(message));
  });

  it('holds under every knee unless a probe step is given, at most the regain step', () => {
    expect(resolveLimiterConfig({ regainStep: 1 }).probeStep).toBe(0);
    expect(resolveLimiterConfig({ regainStep: 1, probeStep: 1 }).probeStep).toBe(1);
    expect(resolveLimiterConfig({ regainStep: 0.002, probeStep: 0.0002 }).probeStep).toBe(0.0002);
  });

  it('spaces slots with burst tolerance fixed at the ceiling’s interval', () => {
    expect(resolveLimiterConfig({ burst: 3, ceiling: 5 }).toleranceMs).toBe(400);
  });
});

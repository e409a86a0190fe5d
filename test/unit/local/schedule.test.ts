import { nextUtc, startSchedule } from '../../../src/local/schedule';

describe('local reconciliation schedule', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(Date.UTC(2026, 0, 31, 12, 0, 0));
  });
  afterEach(() => jest.useRealTimers());

  it('runs incremental every interval and full daily at 03:30 UTC, until stopped', () => {
    const runs: string[] = [];
    const schedule = startSchedule({
      incrementalEveryMs: 15 * 60_000,
      run: (mode) => {
        runs.push(mode);
        return Promise.resolve();
      },
    });
    expect(schedule.next()).toEqual({
      incremental: Date.UTC(2026, 0, 31, 12, 15),
      full: Date.UTC(2026, 1, 1, 3, 30),
    });
    jest.advanceTimersByTime(45 * 60_000);
    expect(runs).toEqual(['incremental', 'incremental', 'incremental']);
    jest.advanceTimersByTime(15 * 3_600_000);
    expect(runs.filter((m) => m === 'full')).toHaveLength(1);
    schedule.stop();
    const before = runs.length;
    jest.advanceTimersByTime(7 * 86_400_000);
    expect(runs).toHaveLength(before);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps going after a failed run, reporting it', async () => {
    const errors: string[] = [];
    const schedule = startSchedule({
      incrementalEveryMs: 60_000,
      fullAtUtc: false,
      run: () => Promise.reject(new Error('Jama down')),
      onError: (mode, error) => errors.push(`${mode}: ${(error as Error).message}`),
    });
    await jest.advanceTimersByTimeAsync(120_000);
    expect(errors).toEqual(['incremental: Jama down', 'incremental: Jama down']);
    schedule.stop();
  });

  it.each([
    [Date.UTC(2026, 0, 31, 3, 29), Date.UTC(2026, 0, 31, 3, 30)],
    [Date.UTC(2026, 0, 31, 3, 30), Date.UTC(2026, 1, 1, 3, 30)],
    [Date.UTC(2026, 11, 31, 23, 0), Date.UTC(2027, 0, 1, 3, 30)],
  ])('the next 03:30 UTC after %d is %d', (now, next) => {
    expect(nextUtc(now, { hour: 3, minute: 30 })).toBe(next);
  });
});

import { ConfigError } from '../../../src/core/errors';
import { retrySchedule } from '../../../src/core/retry';
import { FakeClock } from '../../support/fake-clock';

describe('retrySchedule', () => {
  it('waits nothing before the first attempt, then 1, 2, 4 … × the delay', async () => {
    const clock = new FakeClock(0);
    const retry = retrySchedule({ retryDelayMs: 100, clock }, 4);
    const waited: number[] = [];
    for (let attempt = 0; attempt < retry.attempts; attempt++) {
      const before = clock.now();
      await retry.pause(attempt);
      waited.push(clock.now() - before);
    }
    expect(waited).toEqual([0, 100, 200, 400]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p attempts', (attempts) => {
    expect(() => retrySchedule({ attempts }, 3)).toThrow(ConfigError);
  });
});

import { shortCause, WarningAggregator } from '../../../src/core/warnings';
import { FakeClock } from '../../support/fakes';

describe('warning aggregator', () => {
  it('logs the first of a cause at once and the rest as one line per interval with a count and a sample', () => {
    const clock = new FakeClock();
    const warnings = new WarningAggregator({ clock, intervalMs: 10_000, sampleSize: 3 });
    const cause = shortCause(
      'JAMA_SERVER: Jama failed on GET /rest/v1/abstractitems?documentKey=A&documentKey=B (503)',
    );
    expect(cause).toBe('JAMA_SERVER: Jama failed on GET /rest/v1/abstractitems?… (503)');
    const first = Array.from({ length: 914 }, (_, i) => warnings.note(cause, `K-${i % 50}`));
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(warnings.note('other cause', 'X')).toBe(true);
    expect(warnings.flush()).toEqual([]); // the interval is not over
    clock.advance(10_000);
    expect(warnings.flush()).toEqual([
      { cause, count: 913, sample: ['K-1', 'K-2', 'K-3'], from: clock.now() - 10_000, to: clock.now() },
    ]);
    expect(warnings.note(cause, 'K-9')).toBe(true); // a new interval starts with a line of its own
  });
});

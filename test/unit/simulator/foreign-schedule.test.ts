import { resolveOptions } from '../../../src/simulator/options';
import { startJamaSimulator } from '../../../src/simulator/server';

describe('foreign traffic on a schedule', () => {
  it('changes its rate at each boundary, cycling through the list', async () => {
    const sim = await startJamaSimulator({
      projects: 1,
      itemsPerProject: 1,
      foreignSchedule: { everyMs: 500, rates: [4, 8, 2] },
    });
    try {
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 1_600));
      const foreign = sim.calls().filter((c) => c.foreign && c.at - started < 1_500);
      const inPhase = (k: number) =>
        foreign.filter((c) => c.at - started >= k * 500 && c.at - started < (k + 1) * 500).length;
      // 4/s, 8/s and 2/s for half a second each: 2, 4 and 1 calls (± 1 at the boundaries).
      expect(inPhase(0)).toBeGreaterThanOrEqual(1);
      expect(inPhase(0)).toBeLessThanOrEqual(3);
      expect(inPhase(1)).toBeGreaterThanOrEqual(3);
      expect(inPhase(1)).toBeLessThanOrEqual(5);
      expect(inPhase(2)).toBeLessThanOrEqual(2);
    } finally {
      await sim.close();
    }
  });

  it('rejects a schedule without rates or with a negative one', () => {
    expect(() => resolveOptions({ foreignSchedule: { everyMs: 1000, rates: [] } })).toThrow(
      /foreignSchedule.rates/,
    );
    expect(() => resolveOptions({ foreignSchedule: { everyMs: 1000, rates: [2, -1] } })).toThrow(
      /foreignSchedule.rates\[1\]/,
    );
  });
});

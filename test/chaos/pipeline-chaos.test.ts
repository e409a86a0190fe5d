import { type Chaos, type ChaosReport, startChaos } from './harness';
import { CHAOS } from './scale';

/** One line of figures for the log: what the run went through and how it ended. */
function summary(r: ChaosReport): string {
  const v = r.verdict;
  return [
    `chaos: ${CHAOS.items} items, ${r.events.rounds} rounds, ${r.events.events} events accepted`,
    `(${r.events.outOfOrder} out of order, ${r.events.queueDuplicates} pulls queued twice, ${r.events.pushes} pushes, ${r.events.poison} invalid)`,
    `| Jama: ${r.jama.calls} calls, ${r.jama.faults} 5xx/resets, ${r.jama.ours429} 429s (${r.unexpected429.length} outside the storm)`,
    `| kills: ${r.kills.map((k) => `${k.point} (${k.records} records)`).join(', ')}`,
    `| rogue writes: ${r.rogue.writes}, ${r.rogue.mustBeStale} behind a newer version, ${r.rogue.lostRaces.length} landed, ${r.rogue.stale} refused as stale, ${r.rogue.failed} failed`,
    `| siblings: ${r.siblings.calls} calls, ${r.siblings.errors} errors, ${r.siblings.conflicts} limiter conflicts`,
    `| end: ${v.synced}/${v.checked} synced, ${v.deadLettered} dead-lettered, ${v.mismatches.length} wrong,`,
    `${v.deadLetters.length} DLQ messages (${v.withoutReason.length} without reason)`,
    `| watcher: ${r.watcherPolls} polls, ${r.regressions.length} regressions`,
    `| ${(r.ms.chaos / 1000).toFixed(1)} s chaos + ${(r.ms.drain / 1000).toFixed(1)} s drain`,
  ].join(' ');
}

// Servers start and stop in hooks and runs take seconds: more than jest's 5 s default.
jest.setTimeout(60_000);

describe(`the pipeline under chaos (${CHAOS.items} items)`, () => {
  let chaos: Chaos | undefined;
  afterAll(async () => {
    await chaos?.stop();
  });

  it(
    'ends with every accepted item synced to its latest state or dead-lettered with a reason, never going back',
    async () => {
      chaos = await startChaos({
        items: CHAOS.items,
        changesPerRound: CHAOS.changesPerRound,
        drainTimeoutMs: CHAOS.drainTimeoutMs,
      });
      const report = await chaos.run();
      process.stdout.write(`${summary(report)}\n`);

      expect(report.initialSync).toMatchObject({ projects: [20, 21], rows: CHAOS.items });
      expect(report.regressions).toEqual([]);
      expect(report.rogue.lostRaces).toEqual([]);
      expect(report.verdict.mismatches).toEqual([]);
      expect(report.verdict.withoutReason).toEqual([]);
      expect(report.verdict.checked).toBeGreaterThanOrEqual(CHAOS.items);

      // The run really went through what it claims.
      expect(report.phases.map((p) => [p.name, p.felt])).toEqual([
        ['5xx burst', true],
        ['connection resets', true],
        ['latency spike', true],
        ['foreign 429 storm', true],
      ]);
      expect(report.kills.map((k) => k.point).sort()).toEqual(['after-read', 'before-ack', 'mid-write']);
      expect(report.jama.faults).toBeGreaterThan(0);
      expect(report.jama.ours429).toBeGreaterThan(0);
      expect(report.rogue.mustBeStale).toBeGreaterThan(0);
      // The rogue writers and sibling limiters really reached the stand-ins (they need the run's credentials).
      expect(report.rogue.stale).toBeGreaterThan(0);
      expect(report.rogue.failed).toBe(0);
      expect(report.siblings.calls).toBeGreaterThan(0);
      expect(report.events.outOfOrder).toBeGreaterThan(0);
      expect(report.events.queueDuplicates).toBeGreaterThan(0);
      // Invalid pushes can never apply: each sits in the DLQ, saying why.
      const pushLetters = report.verdict.deadLetters.filter((d) => d.kind === 'push' && d.reason);
      for (const id of report.poisoned)
        expect([id, pushLetters.some((d) => d.itemId === id)]).toEqual([id, true]);
      // The limit holds: jama-sync's own calls meet 429s only while the foreign storm fills the window.
      expect(report.unexpected429).toEqual([]);
      expect(report.jama.maxOursInAnyWindow).toBeLessThanOrEqual(10);
    },
    CHAOS.testTimeoutMs,
  );
});

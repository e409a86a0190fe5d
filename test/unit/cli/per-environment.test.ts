import { formatStatus } from '../../../src/cli/status-command';
import { formatSummary, type RunSummary } from '../../../src/local/summary';
import type { Status } from '../../../src/ops/status';

const env = (name: string, items: number, calls: number) => ({
  env: name,
  rateLimit: 10,
  calls,
  throttled: 0,
  errors: 0,
  ratePerSecond: 0,
  busiestSecond: 9,
  itemsInMirror: items,
  tombstones: 1,
});

describe('figures per environment', () => {
  it('the summary lists each environment with its own mirror count beside the total', () => {
    const summary: RunSummary = {
      elapsedSeconds: 10,
      jamaCalls: 180,
      jama429s: 0,
      itemsInMirror: 8000,
      tombstones: 2,
      itemsPerCall: 44.4,
      maxCallsInAnySecond: 9,
      rateLimit: 10,
      countedAt: 'Jama client',
      environments: [env('prod', 4000, 90), env('sandbox', 4000, 90)],
      deadLetters: 0,
      webhookEvents: 0,
      reconcileRuns: 1,
      mirrorMatches: null,
      mismatches: [],
      relationshipsInMirror: 0,
      relationshipsMatch: null,
      relationshipMismatches: [],
    };
    const text = formatSummary(summary);
    expect(text).toMatch(/^Synced 8000 items/);
    expect(text).toContain('prod: 4000 items (+1 tombstones), 90 Jama calls');
    expect(text).toContain('sandbox: 4000 items (+1 tombstones), 90 Jama calls');
  });

  it('status shows the mirror per environment when there are several', () => {
    const status: Status = {
      target: 'local',
      kind: 'local',
      queues: [],
      limiters: [],
      runs: [],
      mirror: {
        items: 7,
        tombstones: 1,
        relationships: 3,
        relationshipTombstones: 0,
        approximate: false,
        environments: [
          { env: 'prod', items: 5, tombstones: 1, relationships: 3, relationshipTombstones: 0 },
          { env: 'sandbox', items: 2, tombstones: 0, relationships: 0, relationshipTombstones: 0 },
        ],
      },
    };
    const text = formatStatus(status, 0);
    expect(text).toContain('Mirror           7 items (+1 tombstones)');
    expect(text).toContain('  prod: 5 items (+1 tombstones) · 3 links (+0 tombstones)');
    expect(text).toContain('  sandbox: 2 items (+0 tombstones) · 0 links (+0 tombstones)');
  });
});

import { formatJamaDate } from '../../../src/core/jama-date';
import type { JamaActivity } from '../../../src/core/jama-types';
import type { JobInput, RelationshipScanJob } from '../../../src/core/jobs';
import type { RelationshipRecord } from '../../../src/core/relationships/records';
import { runRelationshipScan } from '../../../src/core/relationships/scan';

const activity = (item: number, eventType: string, at: number): JamaActivity => ({
  id: at,
  date: formatJamaDate(at),
  item,
  eventType,
  objectType: 'RELATIONSHIP',
});

describe('relationship scan, incremental', () => {
  it('reads RELATIONSHIP activities since the watermark: the latest event per link decides', async () => {
    const T = Date.UTC(2026, 0, 1);
    const activities = [
      activity(1, 'CREATE', T + 1),
      activity(1, 'UPDATE', T + 2),
      activity(2, 'CREATE', T + 3),
      activity(2, 'DELETE', T + 4),
      activity(3, 'DELETE', T + 5),
      activity(4, 'UPDATE', T + 6),
    ];
    const queries: unknown[] = [];
    const written: RelationshipRecord[] = [];
    const sent: JobInput[] = [];
    const jama = {
      async *iterateActivities(query: unknown) {
        queries.push(query);
        yield* activities;
      },
      listRelationships: () => Promise.reject(new Error('no paging in an incremental run')),
      getRelationship: () => Promise.reject(new Error('no reads here')),
      listRelationshipTypes: () => Promise.resolve([]),
    };
    const sink = {
      name: 'mirror',
      writeRelationships: async (_env: string, records: RelationshipRecord[]) => {
        written.push(...records);
        return records.map((r) => ({ relationshipId: r.relationshipId, status: 'written' as const }));
      },
    };
    const job: RelationshipScanJob = {
      v: 1,
      env: 'prod',
      kind: 'relationship-scan',
      projectId: 20,
      mode: 'incremental',
      runId: 'r1',
      since: T,
      lastId: 0,
      startAt: 0,
      page: 0,
    };
    const outcome = await runRelationshipScan(job, {
      jama,
      sinks: [sink],
      queue: { send: async (jobs) => void sent.push(...jobs) },
      now: () => T + 100,
    });
    expect(outcome).toEqual({ type: 'done' });
    expect(queries).toEqual([{ project: 20, date: [T], objectType: ['RELATIONSHIP'] }]);
    expect(written).toEqual([
      { kind: 'relationship-tombstone', relationshipId: 2, projectId: 20, deletedAt: T + 4 },
      { kind: 'relationship-tombstone', relationshipId: 3, projectId: 20, deletedAt: T + 5 },
    ]);
    expect(sent).toEqual([
      { v: 1, env: 'prod', kind: 'relationship-pull', relationshipIds: [1, 4], projectId: 20 },
    ]);
  });
});

import { jobSchema } from '../../../src/core/jobs';
import { nativeBodySchema } from '../../../src/core/webhook/contract';
import { MAX_JOB_BYTES, packBatches, planJobs } from '../../../src/core/webhook/plan';

const ACCEPTED = Date.UTC(2026, 1, 1);
const plan = (events: unknown[]) =>
  planJobs('default', nativeBodySchema.parse({ events }).events, { now: ACCEPTED, requestId: 'req' });

describe('webhook job planning', () => {
  it('queues one pull per item, keeping the documentKey, project and earliest occurredAt it was given', () => {
    const p = plan([
      { type: 'item.updated', itemId: 1, occurredAt: 1769860805000 },
      { type: 'item.created', itemId: 1, documentKey: 'P-1', occurredAt: 1769860800000 },
      { type: 'item.updated', itemId: 1, projectId: 20 },
      { type: 'item.updated', itemId: 2 },
    ]);
    expect(p.pulls).toEqual([
      {
        v: 1,
        env: 'default',
        kind: 'pull',
        itemId: 1,
        documentKey: 'P-1',
        projectId: 20,
        occurredAt: 1769860800000,
        acceptedAt: ACCEPTED,
      },
      { v: 1, env: 'default', kind: 'pull', itemId: 2, acceptedAt: ACCEPTED },
    ]);
    expect(p.coalesced).toBe(2);
  });

  it('turns a push into replace operations ordered and guarded by occurredAt (else the acceptance time, unless forced), and a delete into a dated tombstone', () => {
    const p = plan([
      { type: 'item.push', itemId: 5, fields: { name: 'N', status$24: null }, occurredAt: 1769860800000 },
      { type: 'item.push', itemId: 5, fields: { name: 'M' } },
      { type: 'item.push', itemId: 5, fields: { Priority: 'High' }, force: true },
      { type: 'item.deleted', itemId: 6, documentKey: 'P-6', occurredAt: '2026-01-31T12:00:00Z' },
    ]);
    expect(p.others).toEqual([
      {
        v: 1,
        env: 'default',
        kind: 'push',
        itemId: 5,
        ops: [
          { op: 'replace', path: '/fields/name', value: 'N' },
          { op: 'replace', path: '/fields/status$24', value: null },
        ],
        occurredAt: 1769860800000,
        ifUnmodifiedSince: 1769860800000,
        acceptedAt: ACCEPTED,
        jobId: 'req.0',
      },
      {
        v: 1,
        env: 'default',
        kind: 'push',
        itemId: 5,
        ops: [{ op: 'replace', path: '/fields/name', value: 'M' }],
        ifUnmodifiedSince: ACCEPTED,
        acceptedAt: ACCEPTED,
        jobId: 'req.1',
      },
      {
        v: 1,
        env: 'default',
        kind: 'push',
        itemId: 5,
        ops: [{ op: 'replace', path: '/fields/Priority', value: 'High' }],
        force: true,
        acceptedAt: ACCEPTED,
        jobId: 'req.2',
      },
      { v: 1, env: 'default', kind: 'delete', itemId: 6, documentKey: 'P-6', deletedAt: 1769860800000 },
    ]);
    for (const job of [...p.pulls, ...p.others]) expect(jobSchema.safeParse(job).success).toBe(true);
  });

  it('refuses a push too large for one queue message, with a 400', () => {
    expect(() =>
      plan([{ type: 'item.push', itemId: 1, fields: { text: 'x'.repeat(MAX_JOB_BYTES) } }]),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/events\.0\.fields: the push job would be/),
      }),
    );
  });

  it('packs jobs into groups SendMessageBatch takes: 10 entries and 250 KiB at most', () => {
    const push = (n: number) => ({
      v: 1 as const,
      env: 'default',
      kind: 'push' as const,
      itemId: n,
      ops: [{ op: 'replace' as const, path: '/fields/text', value: 'x'.repeat(60_000) }],
    });
    const pulls = Array.from({ length: 23 }, (_, i) => ({
      v: 1 as const,
      env: 'd',
      kind: 'pull' as const,
      itemId: i + 1,
    }));
    expect(packBatches(pulls).map((g) => g.length)).toEqual([10, 10, 3]);
    expect(packBatches([1, 2, 3, 4, 5].map(push)).map((g) => g.length)).toEqual([4, 1]);
  });
});

describe('planJobs, relationship events', () => {
  it('re-reads each relationship once, 50 per job and per project, whatever the event said', () => {
    const events = [
      { type: 'relationship.created' as const, relationshipId: 1, fromItem: 5, toItem: 6, projectId: 20 },
      { type: 'relationship.deleted' as const, relationshipId: 2, projectId: 20 },
      { type: 'relationship.updated' as const, relationshipId: 1, occurredAt: 1000 },
      { type: 'relationship.updated' as const, relationshipId: 3 },
    ];
    const plan = planJobs('prod', events);
    expect(plan.coalesced).toBe(1);
    expect(plan.pulls).toEqual([]);
    expect(plan.others).toEqual([]);
    expect(plan.relationshipPulls).toEqual([
      {
        v: 1,
        env: 'prod',
        kind: 'relationship-pull',
        relationshipIds: [1, 2],
        projectId: 20,
        occurredAt: 1000,
      },
      { v: 1, env: 'prod', kind: 'relationship-pull', relationshipIds: [3] },
    ]);
  });
});

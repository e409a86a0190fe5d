import type { Context } from 'aws-lambda';
import { makeHandler } from '../../../functions/reconcile/handler';
import type { JamaApi } from '../../../src/core/ports/jama-api';
import type { StartDeps } from '../../../src/core/reconcile/start';
import { FakeClock, MemoryQueue } from '../../support/fakes';
import { MemoryState } from './memory-state';

const context = { functionName: 'reconcile', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function deps(over: Partial<StartDeps> = {}): StartDeps & { queue: MemoryQueue } {
  return {
    environments: [{ name: 'prod', projects: [20] }],
    jama: () => ({}) as JamaApi,
    queue: new MemoryQueue(),
    state: new MemoryState(),
    clock: new FakeClock(),
    overlapMs: 120_000,
    leaseMs: 3_600_000,
    nonce: () => 'n1',
    ...over,
  } as StartDeps & { queue: MemoryQueue };
}

describe('reconcile handler', () => {
  it('starts the run an EventBridge schedule asks for and returns its summary', async () => {
    const d = deps();
    const summary = await makeHandler(d)({ source: 'aws.events', detail: { mode: 'full' } }, context);
    expect(summary).toEqual({
      runId: 'full-20260101T000000Z-n1',
      mode: 'full',
      started: [{ env: 'prod', projectId: 20, from: 0, deletes: 0 }],
      skipped: [],
      failed: [],
    });
    expect(d.queue.sent.map((s) => s.job)).toEqual([
      expect.objectContaining({ kind: 'scan', mode: 'full' }),
      expect.objectContaining({ kind: 'relationship-scan', mode: 'full', lastId: 0, startAt: 0 }),
    ]);
  });

  it('rejects an invalid request without touching the queue', async () => {
    const d = deps();
    await expect(makeHandler(d)({ mode: 'sometimes' }, context)).rejects.toMatchObject({
      code: 'JOB_INVALID',
    });
    expect(d.queue.sent).toHaveLength(0);
  });

  it('fails the invocation when a project did not start, so it is retried', async () => {
    const queue = new MemoryQueue();
    queue.send = async () => {
      throw new Error('SQS unavailable');
    };
    await expect(makeHandler(deps({ queue }))({}, context)).rejects.toThrow(/prod\/20: SQS unavailable/);
  });
});

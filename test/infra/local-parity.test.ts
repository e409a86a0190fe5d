import { QUEUES, RECONCILE } from '../../src/infra/resources';
import { defaultWorkerEsm, reconcileEsm } from '../../src/local/local-workers';
import { build, logicalId, type Resources } from './support';

describe('jama-sync local drives the workers as the deployed event source mappings do', () => {
  const { template } = build();
  const resources = template.toJSON().Resources as Resources;
  const mapping = (fn: string) => {
    const target = logicalId(resources, 'AWS::Lambda::Function', fn);
    const found = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.FunctionName).includes(target),
    );
    return found?.Properties as Record<string, unknown>;
  };

  it('the jobs queue: batch size, batching window and maximum concurrency', () => {
    const local = defaultWorkerEsm(10);
    expect(mapping('WorkerFunction')).toMatchObject({
      BatchSize: local.batchSize,
      MaximumBatchingWindowInSeconds: local.batchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: local.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the reconcile queue: RECONCILE.consumer', () => {
    const m = mapping('ReconcileWorkerFunction');
    expect(m).toMatchObject({
      BatchSize: RECONCILE.consumer.batchSize,
      ScalingConfig: { MaximumConcurrency: RECONCILE.consumer.maximumConcurrency },
    });
    expect(m.MaximumBatchingWindowInSeconds ?? 0).toBe(RECONCILE.consumer.batchingWindowSeconds);
    // …and the local reconcile worker is driven with exactly these settings.
    const local = reconcileEsm();
    expect(m).toMatchObject({
      BatchSize: local.batchSize,
      ScalingConfig: { MaximumConcurrency: local.maxConcurrency },
    });
    expect(m.MaximumBatchingWindowInSeconds ?? 0).toBe(local.batchingWindowSeconds);
  });

  it('both queues: the visibility timeouts the local runtime provisions', () => {
    const queues = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::Queue');
    const timeouts = queues.map((q) => q.Properties.VisibilityTimeout).sort();
    expect(timeouts).toEqual(
      [QUEUES.jobs, QUEUES.reconcile, QUEUES.jobsDlq].map((q) => q.visibilityTimeoutSeconds).sort(),
    );
  });

  it('the benchmark and the integration tests run through the local stack, not a copy of it', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const files = (await readdir('bench', { recursive: true })).filter((f) => f.endsWith('.ts'));
    for (const f of files) expect(await readFile(`bench/${f}`, 'utf8')).not.toMatch(/from '(\.\.\/)+test\//);
    const pipeline = await readFile('test/support/pipeline.ts', 'utf8');
    expect(pipeline).toMatch(/startLocalStack\(/);
    expect(pipeline).not.toMatch(/startEventSource|buildWorkerDeps/);
  });
});

import { QUEUES, RECONCILE, reconcileConcurrency } from '../../src/infra/resources';
import { defaultWorkerEsm, reconcileEsm } from '../../src/local/local-workers';
import { build, logicalId, type Resources } from './support';

/** The event source mapping of a function, by its logical id prefix. */
function deployed(resources: Resources) {
  return (fn: string) => {
    const target = logicalId(resources, 'AWS::Lambda::Function', fn);
    const found = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.FunctionName).includes(target),
    );
    return found?.Properties as Record<string, unknown>;
  };
}

describe('jama-sync local drives the workers as the deployed event source mappings do', () => {
  const { template } = build();
  const resources = template.toJSON().Resources as Resources;
  const mapping = deployed(resources);

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
      ScalingConfig: { MaximumConcurrency: RECONCILE.consumer.minimumConcurrency },
    });
    expect(m.MaximumBatchingWindowInSeconds ?? 0).toBe(RECONCILE.consumer.batchingWindowSeconds);
    // …and the local reconcile worker is driven with exactly these settings.
    const local = reconcileEsm([{ rateLimit: 10 }]);
    expect(m).toMatchObject({
      BatchSize: local.batchSize,
      ScalingConfig: { MaximumConcurrency: local.maxConcurrency },
    });
    expect(m.MaximumBatchingWindowInSeconds ?? 0).toBe(local.batchingWindowSeconds);
  });

  it('many environments: both consumers sized from the sum of their rates, here as deployed', () => {
    const rates = [10, 10, 5, 2, 10];
    const environments = rates.map((rateLimit, i) => ({
      name: `env${i}`,
      url: `https://env${i}.example.com`,
      projects: [20],
      rateLimit,
    }));
    const many = build({ environments: JSON.stringify(environments) });
    const manyMapping = deployed(many.template.toJSON().Resources as Resources);
    const total = rates.reduce((a, b) => a + b, 0);
    expect(manyMapping('WorkerFunction')).toMatchObject({
      ScalingConfig: { MaximumConcurrency: defaultWorkerEsm(total).maxConcurrency },
    });
    // 37 calls/s: 12 jobs invocations; readers 7 + 7 + 4 + 2 + 7 = 27 reconcile invocations.
    expect(defaultWorkerEsm(total).maxConcurrency).toBe(12);
    expect(reconcileConcurrency(environments)).toBe(27);
    expect(manyMapping('ReconcileWorkerFunction')).toMatchObject({
      ScalingConfig: { MaximumConcurrency: reconcileEsm(environments).maxConcurrency },
    });
    const reserved = Object.values(many.template.toJSON().Resources as Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.ReservedConcurrentExecutions === 28,
    );
    expect(reserved).toHaveLength(1);
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

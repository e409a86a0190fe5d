import { RECONCILE } from '../../src/infra/resources';
import { defaultWorkerEsm } from '../../src/local/local-workers';
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
  });
});

import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { makeHandler } from '../../../functions/sync-worker/handler';
import type { SqsWorkerDeps } from '../../../functions/sync-worker/process-batch';
import { usageMeter } from '../../../functions/sync-worker/usage';
import { FakeClock, FakeJama, item, MemoryQueue, MemorySink } from '../../support/fakes';

/** Records what the handler tells Powertools Metrics (EMF output itself is Powertools' job). */
function recordingMetrics() {
  const seen: { name: string; value: number; environment?: string }[] = [];
  const make = (environment?: string): unknown => ({
    addMetric: (name: string, _unit: string, value: number) => {
      seen.push({ name, value, ...(environment ? { environment } : {}) });
    },
    addDimension: (_key: string, value: string) => {
      environment = value;
    },
    singleMetric: () => make(),
    publishStoredMetrics: () => undefined,
    captureColdStartMetric: () => undefined,
    setThrowOnEmptyMetrics: () => undefined,
    setDefaultDimensions: () => undefined,
  });
  return { metrics: make() as Metrics, seen };
}

const context = {
  getRemainingTimeInMillis: () => 60_000,
  functionName: 'w',
  awsRequestId: 'r',
} as unknown as Context;
const record = (id: string, body: object) => ({
  messageId: id,
  receiptHandle: id,
  body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now() - 1000) },
});

describe('sync-worker handler', () => {
  it('reports outcomes, sync latency and per-environment Jama usage as metrics', async () => {
    const jama = new FakeJama([item(1), item(2)]);
    const stats = { calls: 0, byStatus: {} as Record<string, number> };
    const deps: SqsWorkerDeps = {
      engine: {
        jama: () => jama.asApi(),
        sinks: [new MemorySink()],
        queue: new MemoryQueue(),
        clock: new FakeClock(),
      },
      sqs: {} as SQSClient,
      urls: { jobs: 'q', deadLetter: 'dlq' },
      retry: { maxReceiveCount: 10, maxFailures: 5, delayMs: () => 3000 },
      usage: usageMeter([
        { name: 'prod', client: { stats: () => stats }, limiter: { readState: async () => ({ rate: 7.5 }) } },
      ]),
    };
    const { metrics, seen } = recordingMetrics();
    const handler = makeHandler(deps, { metrics });
    stats.calls = 3;
    stats.byStatus['429'] = 1;
    const event = {
      Records: [
        record('a', { v: 1, env: 'prod', kind: 'pull', itemId: 1, documentKey: 'P-REQ-1' }),
        record('b', { v: 1, env: 'prod', kind: 'pull', itemId: 2, documentKey: 'P-REQ-2' }),
      ],
    } as unknown as SQSEvent;
    const response = await handler(event, context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(
      expect.arrayContaining([
        { name: 'records_done', value: 2 },
        { name: 'jama_calls', value: 3, environment: 'prod' },
        { name: 'jama_429', value: 1, environment: 'prod' },
        { name: 'limiter_rate', value: 7.5, environment: 'prod' },
        { name: 'records_done', value: 2, environment: 'prod' },
      ]),
    );
    const latencies = seen.filter((m) => m.name === 'sync_latency_ms' && !m.environment);
    expect(latencies).toHaveLength(2);
    expect(seen.filter((m) => m.name === 'sync_latency_ms' && m.environment === 'prod')).toHaveLength(2);
    for (const l of latencies) expect(l.value).toBeGreaterThanOrEqual(1000);
  });
});

describe('usage meter', () => {
  it('reports calls and 429s since the previous look', async () => {
    const stats = { calls: 10, byStatus: { '200': 8, '429': 2 } as Record<string, number> };
    const meter = usageMeter([{ name: 'prod', client: { stats: () => stats } }]);
    expect(await meter()).toEqual([{ env: 'prod', calls: 10, throttled: 2 }]);
    stats.calls = 15;
    stats.byStatus['429'] = 3;
    expect(await meter()).toEqual([{ env: 'prod', calls: 5, throttled: 1 }]);
  });
});

describe('soft deadline', () => {
  const deps = (softDeadlineMs?: number): SqsWorkerDeps => ({
    engine: {
      jama: () => new FakeJama([item(1)]).asApi(),
      sinks: [new MemorySink()],
      queue: new MemoryQueue(),
      clock: new FakeClock(),
    },
    sqs: { send: async () => ({}) } as unknown as SQSClient,
    urls: { jobs: 'q', deadLetter: 'dlq' },
    retry: { maxReceiveCount: 10, maxFailures: 5, delayMs: () => 3000 },
    ...(softDeadlineMs === undefined ? {} : { softDeadlineMs }),
  });
  const event = {
    Records: [record('a', { v: 1, env: 'prod', kind: 'pull', itemId: 1, documentKey: 'P-REQ-1' })],
  } as unknown as SQSEvent;

  it("comes from the deps' configuration (JAMA_SYNC_SOFT_DEADLINE_MS), not a constant of the handler", async () => {
    const seen: string[] = [];
    const onSynced = (r: { outcome: { type: string } }) => seen.push(r.outcome.type);
    // 60 s left and the default 10 s margin: the record runs.
    await makeHandler(deps(), { metrics: false, onSynced })(event, context);
    // The configured margin covers all the time left: nothing new is started, the record is handed back.
    await makeHandler(deps(60_000), { metrics: false, onSynced })(event, context);
    expect(seen).toEqual(['done', 'deferred']);
  });
});

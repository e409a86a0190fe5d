import type { JamaApi } from '../../../src/core/ports/jama-api';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { maxInAnyWindow } from '../../../src/simulator/rate-window';
import { type Pipeline, startPipeline } from '../../support/pipeline';

const isRead = (path: string) => /^\/rest\/v1\/(abstractitems|items\/\d+)/.test(path);

describe('sync worker over SQS, DynamoDB and the Jama simulator', () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('syncs 2,000 pulls of 500 items at 10/s with 10 % 5xx in at most 30 successful reads', async () => {
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 500, faults: { serverErrorRate: 0.1 }, seed: 7 },
      eventSource: { batchSize: 10_000, batchingWindowSeconds: 2, maxConcurrency: 2 },
    });
    const items = p.simulator.items();
    for (const it of items.slice(0, 50)) p.simulator.updateItem(it.id, { name: `edited ${it.id}` });
    const jobs = Array.from({ length: 2000 }, (_, i) => {
      const it = items[i % items.length] as (typeof items)[number];
      return {
        v: 1 as const,
        env: 'default',
        kind: 'pull' as const,
        itemId: it.id,
        documentKey: it.documentKey,
      };
    });
    await p.enqueue(jobs);
    await p.idle(180_000);

    const mirror = await p.mirror();
    for (const it of p.simulator.items()) {
      expect(mirror.get(it.id)).toMatchObject({
        deleted: false,
        modifiedDate: it.modifiedDate,
        item: { fields: it.fields },
      });
    }
    expect(mirror.size).toBe(500);
    expect(await p.deadLetters()).toHaveLength(0);
    const calls = p.simulator.calls();
    const goodReads = calls.filter((c) => !c.foreign && isRead(c.path) && c.status >= 200 && c.status < 300);
    expect(goodReads.length).toBeLessThanOrEqual(30);
    expect(maxInAnyWindow(calls.filter((c) => c.status !== 429).map((c) => c.at))).toBeLessThanOrEqual(10);
  });

  it('backs off while a foreign integration takes 8 calls/s, and completes with an empty DLQ', async () => {
    // Retry-After: 1 keeps the run short; the 3, 5, 8 … s pauses without it are unit-tested.
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 30, foreignRate: 8, retryAfterSeconds: 1 },
    });
    const ids = p.simulator.items().map((it) => it.id);
    // No documentKeys and an empty mirror: one GET per item, so the limit really bites.
    await p.enqueue(ids.map((itemId) => ({ v: 1, env: 'default', kind: 'pull', itemId })));
    await p.idle(180_000);
    expect((await p.mirror()).size).toBe(30);
    expect(await p.deadLetters()).toHaveLength(0);
    expect(p.simulator.stats().maxAcceptedInAnyWindow).toBeLessThanOrEqual(10);
  }, 200_000);

  it('dead-letters a poison record with its reason after one receive', async () => {
    p = await startPipeline({ simulator: { projects: 1, itemsPerProject: 1 } });
    await p.sqs.send(
      new (await import('@aws-sdk/client-sqs')).SendMessageCommand({
        QueueUrl: p.resources.queues.jobs.url,
        MessageBody: '{"v":1,"kind":"pull","env":"default","itemId":"seven"}',
      }),
    );
    await p.idle();
    const [dead, ...rest] = await p.deadLetters();
    expect(rest).toHaveLength(0);
    expect(dead?.Body).toBe('{"v":1,"kind":"pull","env":"default","itemId":"seven"}');
    expect(dead?.MessageAttributes?.['jama-sync-reason']?.StringValue).toMatch(/invalid job: itemId/);
    expect(dead?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(p.source.stats.records).toBe(1);
  });

  it('says what still waits when the backlog does not drain in time', async () => {
    p = await startPipeline({ simulator: { projects: 1, itemsPerProject: 1 } });
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await p.sqs.send(
      new SendMessageCommand({
        QueueUrl: p.resources.queues.jobs.url,
        MessageBody: '{"v":1,"kind":"pull","env":"default","itemId":1}',
        DelaySeconds: 60,
      }),
    );
    await expect(p.idle(500)).rejects.toThrow(
      'backlog not drained after 500 ms: 0 invocations running; jobs queue: 0 visible, 0 in flight, 1 delayed; reconcile queue: 0 visible, 0 in flight, 0 delayed',
    );
  });

  it('syncs a message that was throttled 30 times, never dead-lettering it', async () => {
    let refusals = 0;
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 3 },
      eventSource: { batchingWindowSeconds: 0 },
      adjust: (deps) => ({
        ...deps,
        retry: { ...deps.retry, delayMs: () => 0 },
        engine: {
          ...deps.engine,
          jama: (env) => {
            const real = deps.engine.jama(env) as JamaApi;
            return new Proxy(real, {
              get(target, prop, receiver) {
                const value = Reflect.get(target, prop, receiver);
                if (typeof value !== 'function') return value;
                return (...args: unknown[]) => {
                  if (refusals < 30) {
                    refusals++;
                    return Promise.reject(new LimiterWaitError(0));
                  }
                  return value.apply(target, args);
                };
              },
            });
          },
        },
      }),
    });
    const [first] = p.simulator.items();
    await p.enqueue([{ v: 1, env: 'default', kind: 'pull', itemId: first?.id as number }]);
    const deadline = Date.now() + 90_000;
    while ((await p.mirror()).size === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await p.idle();
    expect(refusals).toBe(30);
    expect((await p.mirror()).get(first?.id as number)).toMatchObject({ modifiedDate: first?.modifiedDate });
    expect(await p.deadLetters()).toHaveLength(0);
  });
});

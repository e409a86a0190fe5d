import { AsyncLocalStorage } from 'node:async_hooks';
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { WorkerDeps } from '../../functions/sync-worker/build-deps';
import { chunk } from '../../src/core/chunk';
import type { JamaApi } from '../../src/core/ports/jama-api';
import type { Sink } from '../../src/core/ports/sink';
import type { SqsHandler } from '../../src/local/event-source';

/**
 * Where an invocation dies: right after its Jama read returned; right after a PATCH to Jama
 * succeeded (before the push ledger or SQS hear of it); after half of its mirror writes; or after
 * the whole batch was processed (sinks written, retries re-sent) but before the event source
 * mapping deleted anything.
 */
export type KillPoint = 'after-read' | 'after-patch' | 'mid-write' | 'before-ack';

export interface Kill {
  point: KillPoint;
  records: number;
  at: number;
}

class WorkerKilled extends Error {
  constructor(readonly point: KillPoint) {
    super(`worker killed (${point})`);
  }
}

/** One running invocation, as seen from inside the handler through AsyncLocalStorage. */
interface Invocation {
  point?: KillPoint;
  die(point: KillPoint): void;
}

/**
 * Kills chosen sync-worker invocations part-way, as a Lambda crash, OOM or timeout would. The dead
 * invocation never runs another line: it is parked on a promise that only settles after the
 * pipeline has stopped, so it cannot write, delete or re-send anything late. Its handler throws,
 * so the event source deletes none of its records; SQS then makes them visible again when their
 * visibility timeout runs out — 360 s for the real queue (6 × the function timeout), which the
 * killer shortens to `visibleAfterSeconds` with ChangeMessageVisibility so a test need not wait.
 * Records the dead invocation had already handed back with their own delay keep it.
 *
 * Kills are armed per point; the next invocation that reaches an armed point dies there.
 */
export class WorkerKiller {
  readonly kills: Kill[] = [];
  private readonly armed = new Map<KillPoint, number>();
  private readonly current = new AsyncLocalStorage<Invocation>();
  private readonly parked: ((error: Error) => void)[] = [];

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly visibleAfterSeconds = 1,
  ) {}

  arm(point: KillPoint, times = 1): void {
    this.armed.set(point, (this.armed.get(point) ?? 0) + times);
  }

  disarm(): void {
    this.armed.clear();
  }

  /** Kills still armed (not yet reached). */
  pending(): number {
    return [...this.armed.values()].reduce((a, b) => a + b, 0);
  }

  /** Wraps a poller's handler (`PipelineOptions.wrapWorker`). */
  wrap = (inner: SqsHandler): SqsHandler => {
    return async (event, context) => {
      let died: (point: KillPoint) => void = () => {};
      const death = new Promise<KillPoint>((resolve) => {
        died = resolve;
      });
      const invocation: Invocation = {
        die: (point) => {
          invocation.point = point;
          died(point);
        },
      };
      const running = this.current.run(invocation, () => inner(event, context));
      running.catch(() => undefined); // a parked invocation settles only after the pipeline stops
      const outcome = await Promise.race([running.then((response) => ({ response })), death]);
      if (typeof outcome === 'string') return this.die(outcome, event.Records);
      if (this.take('before-ack')) {
        const handedBack = new Set((outcome.response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        return this.die(
          'before-ack',
          event.Records.filter((r) => !handedBack.has(r.messageId)),
        );
      }
      return outcome.response;
    };
  };

  /** Adds the kill points inside the worker: after Jama reads, and half-way through mirror writes. */
  adjust = (deps: WorkerDeps): WorkerDeps => {
    const wrapped = new Map<string, JamaApi>();
    const jama = (env: string) => {
      const real = deps.engine.jama(env);
      if (!real) return undefined;
      let api = wrapped.get(env);
      if (!api) {
        api = Object.create(real) as JamaApi;
        api.getItemsByDocumentKeys = async (keys, options) => {
          const items = await real.getItemsByDocumentKeys(keys, options);
          await this.checkpoint('after-read');
          return items;
        };
        api.getItem = async (id, options) => {
          const item = await real.getItem(id, options);
          await this.checkpoint('after-read');
          return item;
        };
        api.patchItem = async (id, ops, options) => {
          await real.patchItem(id, ops, options);
          await this.checkpoint('after-patch');
        };
        api.searchAbstractItems = async (query, options) => {
          const page = await real.searchAbstractItems(query, options);
          await this.checkpoint('after-read');
          return page;
        };
        wrapped.set(env, api);
      }
      return api;
    };
    const sinks = deps.engine.sinks.map(
      (sink): Sink => ({
        name: sink.name,
        write: async (env, records) => {
          if (records.length < 2 || !this.armed.get('mid-write') || !this.current.getStore()) {
            return sink.write(env, records);
          }
          const half = Math.floor(records.length / 2);
          const first = await sink.write(env, records.slice(0, half));
          await this.checkpoint('mid-write');
          return [...first, ...(await sink.write(env, records.slice(half)))];
        },
      }),
    );
    return { ...deps, engine: { ...deps.engine, jama, sinks } };
  };

  /** Lets parked invocations finish; call after the pipeline stopped, so they reach nothing. */
  release(): void {
    for (const park of this.parked.splice(0)) park(new Error('released after the test'));
  }

  private take(point: KillPoint): boolean {
    const left = this.armed.get(point) ?? 0;
    if (left <= 0) return false;
    this.armed.set(point, left - 1);
    return true;
  }

  private async checkpoint(point: KillPoint): Promise<void> {
    const invocation = this.current.getStore();
    if (!invocation || invocation.point !== undefined || !this.take(point)) return;
    invocation.die(point);
    await new Promise<never>((_, reject) => this.parked.push(reject));
  }

  private async die(point: KillPoint, records: readonly SQSRecord[]): Promise<never> {
    this.kills.push({ point, records: records.length, at: Date.now() });
    for (const group of chunk([...records], 10)) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: group.map((r, i) => ({
            Id: String(i),
            ReceiptHandle: r.receiptHandle,
            VisibilityTimeout: this.visibleAfterSeconds,
          })),
        }),
      );
    }
    throw new WorkerKilled(point);
  }
}

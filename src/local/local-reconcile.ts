import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { buildReconcileDeps, type ReconcileDeps } from '../../functions/reconcile/build-deps';
import { makeHandler } from '../../functions/reconcile/handler';
import type { Config } from '../config';
import type { JobQueue } from '../core/ports/job-queue';
import type { ReconcileRequest } from '../core/reconcile/plan';
import type { ReconcileSummary } from '../core/reconcile/start';
import { RECONCILE } from '../infra/resources';
import { localLogger } from './human-logger';

export interface LocalReconcile {
  /** Invokes the reconcile function as its schedule or an operator would; it only enqueues. */
  run(request?: Partial<ReconcileRequest>): Promise<ReconcileSummary>;
  /** Invocations that started (or skipped) every project they covered. */
  readonly runs: number;
  /** Invocations running now. */
  readonly running: number;
  /** The last few invocations' summaries, newest first (the dashboard's active runs). */
  readonly recent: readonly ReconcileSummary[];
  readonly deps: Promise<ReconcileDeps>;
  close(): Promise<void>;
}

/** The reconcile function in this process: the real handler on the reconcile queue. */
export function localReconcile(
  config: Readonly<Config>,
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient },
  wrapQueue?: (queue: JobQueue) => JobQueue,
): LocalReconcile {
  const deps = buildReconcileDeps(config, clients).then((d) =>
    wrapQueue ? { ...d, queue: wrapQueue(d.queue) } : d,
  );
  const handler = makeHandler(() => deps, { logger: localLogger('jama-sync-reconcile') });
  let runs = 0;
  let running = 0;
  const recent: ReconcileSummary[] = [];
  return {
    deps,
    get runs() {
      return runs;
    },
    get running() {
      return running;
    },
    recent,
    async run(request = {}) {
      const started = Date.now();
      const context = {
        functionName: 'reconcile-local',
        awsRequestId: `local-${started}`,
        getRemainingTimeInMillis: () => RECONCILE.timeoutSeconds * 1000 - (Date.now() - started),
      } as unknown as Context;
      running++;
      try {
        const summary = await handler(request, context);
        runs++;
        if (summary.started.length > 0) recent.unshift(summary);
        recent.length = Math.min(recent.length, 10);
        return summary;
      } finally {
        running--;
      }
    },
    async close() {
      await (await deps.catch(() => undefined))?.close();
    },
  };
}

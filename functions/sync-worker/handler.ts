import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { depsOf, lazyDeps } from '../../src/adapters/lambda/lazy-deps';
import { secretsManagerResolver } from '../../src/adapters/secrets-manager';
import { loadConfig } from '../../src/config';
import { systemClock } from '../../src/core/clock';
import { shortCause, WarningAggregator } from '../../src/core/warnings';
import type { RecordResult } from '../../src/core/worker/sync-engine';
import { buildWorkerDeps } from './build-deps';
import { processSqsBatch, type SqsWorkerDeps } from './process-batch';

/** Stop starting new work this long before the deadline; middy's signal is the hard stop. */
const HARD_STOP_MARGIN_MS = 1500;

export interface HandlerOptions {
  /**
   * Stop starting new Jama calls this long before the Lambda deadline.
   * @default the deps' `softDeadlineMs` (`JAMA_SYNC_SOFT_DEADLINE_MS` through {@link loadConfig}), else 10000
   */
  softDeadlineMs?: number;
  /** Observes each record's result with its sync latency (the local dashboard). */
  onSynced?(result: RecordResult, latencyMs: number | undefined): void;
  logger?: Logger;
  /** `false` turns metrics off (the local runtime, which shows its own progress). */
  metrics?: Metrics | false;
  /** Repeated warnings are logged once per cause per this interval, with a count. @default 10000 */
  warnIntervalMs?: number;
}

/**
 * The sync worker: one SQS batch in, `batchItemFailures` out. Wiring only — the work is in
 * {@link processSqsBatch}. Records still running when middy aborts are all reported failed, so
 * nothing is lost if the function is about to time out.
 */
export function makeHandler(
  deps: SqsWorkerDeps | (() => Promise<SqsWorkerDeps>),
  options: HandlerOptions = {},
) {
  const logger = options.logger ?? new Logger({ serviceName: 'jama-sync-worker' });
  const metrics =
    options.metrics === false
      ? undefined
      : (options.metrics ?? new Metrics({ namespace: 'JamaSync', serviceName: 'sync-worker' }));
  let inFlight: SQSEvent | undefined;

  // One line per cause per interval, with a count and a sample of items: an outage fails hundreds
  // of records for one reason.
  const warnings = new WarningAggregator({
    clock: systemClock,
    intervalMs: options.warnIntervalMs ?? 10_000,
  });
  const onResult = (result: RecordResult) => {
    if (result.outcome.type === 'rejected' || result.outcome.type === 'failed') {
      const reason =
        result.outcome.type === 'rejected' ? result.outcome.reason : result.outcome.error.message;
      const item = result.job && 'itemId' in result.job ? String(result.job.itemId) : result.id;
      const cause = `${result.outcome.type}: ${shortCause(reason)}`;
      if (warnings.note(cause, item)) logger.warn('record not synced', { cause, item, messageId: result.id });
    }
  };
  const flushWarnings = (force = false) => {
    for (const w of warnings.flush(force))
      logger.warn('records not synced', {
        cause: w.cause,
        count: w.count,
        sample: w.sample,
        sinceMs: w.to - w.from,
      });
  };

  const work = async (event: SQSEvent, context: Context, { signal }: { signal: AbortSignal }) => {
    const resolved = depsOf<SqsWorkerDeps>(context);
    inFlight = event;
    const softDeadlineMs = options.softDeadlineMs ?? resolved.softDeadlineMs ?? 10_000;
    const left = context.getRemainingTimeInMillis() - softDeadlineMs;
    // Already past the soft deadline: start nothing (a timeout of 0 would fire only after work began).
    const soft = left > 0 ? AbortSignal.timeout(left) : AbortSignal.abort();
    const counts = new Map<string, number>();
    // Per environment: records synced and their latencies (the dashboard's per-environment graphs).
    const synced = new Map<string, number[]>();
    const sentAt = new Map(event.Records.map((r) => [r.messageId, Number(r.attributes.SentTimestamp)]));
    const observe = (result: RecordResult) => {
      counts.set(result.outcome.type, (counts.get(result.outcome.type) ?? 0) + 1);
      // Sync latency: from the change (when the job says) or from enqueueing, to synced.
      const since = (result.job?.kind === 'pull' && result.job.occurredAt) || sentAt.get(result.id);
      const latencyMs = result.outcome.type === 'done' && since ? Date.now() - since : undefined;
      if (latencyMs !== undefined) metrics?.addMetric('sync_latency_ms', MetricUnit.Milliseconds, latencyMs);
      if (latencyMs !== undefined && result.job) {
        const list = synced.get(result.job.env) ?? [];
        synced.set(result.job.env, list);
        list.push(latencyMs);
      }
      onResult(result);
      options.onSynced?.(result, latencyMs);
    };
    const failures = await processSqsBatch(
      event.Records,
      { ...resolved, onResult: observe },
      AbortSignal.any([signal, soft]),
    );
    flushWarnings();
    for (const [type, n] of counts) metrics?.addMetric(`records_${type}`, MetricUnit.Count, n);
    metrics?.addMetric('items_quarantined', MetricUnit.Count, resolved.quarantined?.() ?? 0);
    if (metrics) {
      await publishUsage(metrics, resolved);
      publishSynced(metrics, synced);
    }
    inFlight = undefined;
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };

  const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>(work, {
    timeoutEarlyInMillis: HARD_STOP_MARGIN_MS,
    timeoutEarlyResponse: () => ({
      batchItemFailures: (inFlight?.Records ?? []).map((r) => ({ itemIdentifier: r.messageId })),
    }),
  }).use(injectLambdaContext(logger));
  if (metrics) handler.use(logMetrics(metrics));
  return handler.use(lazyDeps(deps));
}

/** Per-environment Jama usage as single metrics, so `environment` does not attach to `records_*`. */
async function publishUsage(metrics: Metrics, deps: SqsWorkerDeps): Promise<void> {
  for (const usage of (await deps.usage?.()) ?? []) {
    const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
      const single = metrics.singleMetric();
      single.addDimension('environment', usage.env);
      single.addMetric(name, unit, value);
    };
    emit('jama_calls', MetricUnit.Count, usage.calls);
    emit('jama_429', MetricUnit.Count, usage.throttled);
    if (usage.limiterRate !== undefined) emit('limiter_rate', MetricUnit.CountPerSecond, usage.limiterRate);
  }
}

/**
 * Records synced and their sync latency per environment (`environment` dimension): `records_done`
 * and `sync_latency_ms` beside the deployment-wide ones, as single metrics like the Jama usage.
 */
function publishSynced(metrics: Metrics, synced: Map<string, number[]>): void {
  for (const [env, latencies] of synced) {
    const single = metrics.singleMetric();
    single.addDimension('environment', env);
    single.addMetric('records_done', MetricUnit.Count, latencies.length);
    // EMF holds at most 100 values per metric and document.
    for (const ms of latencies.slice(0, 100))
      single.addMetric('sync_latency_ms', MetricUnit.Milliseconds, ms);
  }
}

export const handler = makeHandler(() =>
  buildWorkerDeps(loadConfig(), { resolveSecret: secretsManagerResolver() }),
);

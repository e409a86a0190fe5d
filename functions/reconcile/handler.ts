import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { depsOf, lazyDeps } from '../../src/adapters/lambda/lazy-deps';
import { secretsManagerResolver } from '../../src/adapters/secrets-manager';
import { loadConfig } from '../../src/config';
import { parseReconcileRequest } from '../../src/core/reconcile/plan';
import {
  ReconcileNotStartedError,
  type ReconcileSummary,
  type StartDeps,
  startReconcile,
} from '../../src/core/reconcile/start';
import { buildReconcileDeps } from './build-deps';

export interface HandlerOptions {
  logger?: Logger;
}

/**
 * The reconcile function, run by the EventBridge schedules (incremental every 15 minutes, full
 * daily) and on demand with `{"mode": "incremental" | "full", "projects"?: number[], "env"?: string}`
 * (directly, or as an event's `detail`). Wiring only — {@link startReconcile} plans each project's
 * run and enqueues its first scan job; it never pages items. Returns the run's summary; throws when
 * a project failed to start (its lease is released, so a retry or the next schedule starts it).
 *
 * @example
 * await makeHandler(deps)({ mode: 'full', env: 'prod', projects: [20] }, context);
 */
export function makeHandler(deps: StartDeps | (() => Promise<StartDeps>), options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: 'jama-sync-reconcile' });
  const work = async (
    event: unknown,
    context: Context,
    { signal }: { signal: AbortSignal },
  ): Promise<ReconcileSummary> => {
    const resolved = depsOf<StartDeps>(context);
    const request = parseReconcileRequest(event);
    const summary = await startReconcile(request, resolved, signal);
    logger.info('reconciliation started', { ...summary });
    if (summary.failed.length > 0) throw new ReconcileNotStartedError(summary);
    return summary;
  };

  return middy<unknown, ReconcileSummary, Error, Context>(work, { timeoutEarlyInMillis: 1000 })
    .use(injectLambdaContext(logger))
    .use(lazyDeps(deps));
}

export const handler = makeHandler(() =>
  buildReconcileDeps(loadConfig(), { resolveSecret: secretsManagerResolver() }),
);

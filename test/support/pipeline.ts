import type { WorkerDeps } from '../../functions/sync-worker/build-deps';
import type { ReconcileRequest } from '../../src/core/reconcile/plan';
import { sign } from '../../src/core/signature';
import type { IngestDeps } from '../../src/core/webhook/ingest';
import type { QueueKey } from '../../src/infra/resources';
import type { SqsHandler } from '../../src/local/event-source';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/local/local-stack';
import type { EventSourceTuning } from '../../src/local/local-workers';
import type { JamaSimulator, SimulatorOptions } from '../../src/simulator/server';

export interface PipelineOptions {
  simulator?: SimulatorOptions;
  /** Overrides of the jobs queue's event source; by default the deployed settings. */
  eventSource?: EventSourceTuning;
  env?: Record<string, string>;
  /** Replace parts of the jobs worker's dependencies (e.g. a faster retry schedule). */
  adjust?(deps: WorkerDeps): WorkerDeps;
  /** Wraps each jobs-queue poller's handler (e.g. to kill an invocation mid-batch). */
  wrapWorker?(handler: SqsHandler): SqsHandler;
  /** Webhook sources (`JAMA_SYNC_WEBHOOK_SOURCES` entries, inline secrets). */
  webhook?: {
    sources: { name: string; secret: string; [key: string]: unknown }[];
    adjust?(deps: IngestDeps): IngestDeps;
  };
  /** Anything else {@link startLocalStack} takes (both deployments, chaos options). */
  stack?: Omit<LocalStackOptions, 'simulator' | 'env' | 'eventSource'>;
}

/**
 * The whole pipeline on loopback for the integration tests: {@link startLocalStack} — the same
 * stack `jama-sync local` runs, at the deployed event source settings — with a few conveniences
 * (signed webhook posts, queue depth by URL).
 */
export async function startPipeline(options: PipelineOptions = {}) {
  const sources = options.webhook?.sources;
  const stack: LocalStack = await startLocalStack({
    prefix: `t${Date.now()}`,
    simulator: { rateLimit: 10, ...options.simulator },
    alwaysSimulate: true,
    env: { ...(sources ? { JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify(sources) } : {}), ...options.env },
    ...(options.eventSource ? { eventSource: options.eventSource } : {}),
    ...options.stack,
    adjust: (deps, queue) => {
      const adjusted = options.stack?.adjust ? options.stack.adjust(deps, queue) : deps;
      return queue === 'jobs' && options.adjust ? options.adjust(adjusted) : adjusted;
    },
    wrapWorker: (handler, queue) => {
      const wrapped = options.stack?.wrapWorker ? options.stack.wrapWorker(handler, queue) : handler;
      return queue === 'jobs' && options.wrapWorker ? options.wrapWorker(wrapped) : wrapped;
    },
    ...(options.webhook?.adjust ? { adjustWebhook: options.webhook.adjust } : {}),
  });
  const { resources } = stack;
  const keyOf = (url: string) =>
    (Object.keys(resources.queues) as QueueKey[]).find((k) => resources.queues[k].url === url) ?? 'jobs';

  /** POSTs `payload` to a source, signed with its secret; resolves with the status and JSON answer. */
  const post = async (name: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = sources?.find((s) => s.name === name)?.secret ?? 'unknown-source-secret';
    const res = await fetch(`${stack.webhook.url}/webhooks/${name}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-jama-sync-timestamp': String(timestamp),
        'x-jama-sync-signature': sign(secret, timestamp, body),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  return {
    stack,
    simulator: stack.simulator as JamaSimulator,
    sqs: stack.clients.sqs,
    dynamodb: stack.clients.dynamodb,
    resources,
    deps: stack.workers.deps,
    source: stack.workers.source,
    reconcileWorker: stack.workers.reconcileDeps,
    reconcileSource: stack.workers.reconcileSource,
    enqueue: stack.enqueue,
    depth: (url: string) => stack.depth(keyOf(url)),
    /** The webhook on loopback (sources as given in `options.webhook`). */
    webhook: sources ? { url: stack.webhook.url, post, close: () => stack.webhook.close() } : undefined,
    /** Invokes the reconcile function as its schedule would (it only enqueues; see {@link idle}). */
    reconcile: (request: Partial<ReconcileRequest> = {}) => stack.reconcile.run(request),
    /** Resolves once both queues are empty and no invocation runs; rejects after `timeoutMs`. */
    idle: (timeoutMs = 120_000) => stack.idle({ timeoutMs }),
    mirror: (env = 'default') => stack.mirror(env),
    deadLetters: () => stack.deadLetters(),
    stop: () => stack.stop(),
  };
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

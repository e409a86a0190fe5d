import type { z } from 'zod';
import { ConfigError } from '../../src/core/errors';
import { reconcileConcurrency, WORKER_TIMEOUT_SECONDS } from '../../src/infra/resources';
import { type ConfigInput, configSchema, type environmentSchema, type webhookSourceSchema } from './schema';
import { RESERVED_HEADROOM, type WorkerConcurrency, workerConcurrency } from './sizing';

export type JamaEnvironmentProps = z.output<typeof environmentSchema>;
export type WebhookSourceProps = z.output<typeof webhookSourceSchema>;

/** Everything the stack needs, validated; built from CDK context by {@link configFromContext}. */
export interface JamaSyncConfig {
  /** One limiter and one credentials secret each. */
  environments: readonly JamaEnvironmentProps[];
  /** EventBridge schedule expressions of the reconcile runs. */
  schedules: { incremental: string; fullSweep: string };
  sinks: { mirror: boolean; forward?: { url: string; secretArn?: string }; eventBus?: string };
  /** Each source gets its own HMAC secret. No sources: no webhook function. */
  webhook: { sources: readonly WebhookSourceProps[]; reservedConcurrency: number };
  worker: WorkerConcurrency & {
    batchSize: number;
    batchingWindowSeconds: number;
    maxFailures: number;
    backoffCapSeconds: number;
    limiterMaxWaitMs: number;
    softDeadlineMs: number;
  };
  /** The reconcile worker's concurrency, sized from every environment's rate (`reconcileConcurrency`). */
  reconcileWorker: WorkerConcurrency;
  alarms: {
    email?: string;
    topicArn?: string;
    oldestMessageAgeSeconds: number;
    throttleSharePercent: number;
  };
  /** DynamoDB deletion protection on the mirror, which is then also retained on stack deletion. */
  deletionProtection: boolean;
  logLevel: string;
  logRetentionDays: number;
  /** X-Ray active tracing on every function. @default false */
  tracing: boolean;
}

/** Problems as `key: message` lines; `rename` maps schema paths back to the keys the user typed. */
export function formatIssues(error: z.ZodError, rename: (path: string) => string = (p) => p): string[] {
  return error.issues.map((i) => `${rename(i.path.join('.')) || '(value)'}: ${i.message}`);
}

export function configError(problems: string[]): ConfigError {
  return new ConfigError(`Invalid jama-sync configuration (CDK context):\n  - ${problems.join('\n  - ')}`);
}

/** One source per environment: `jama` when there is one environment, else `jama-<env>`. */
function defaultWebhookSources(environments: readonly { name: string }[]): WebhookSourceProps[] {
  return environments.map((e) => ({
    name: environments.length === 1 ? 'jama' : `jama-${e.name}`,
    env: e.name,
  }));
}

/**
 * Validates normalized input and derives the rest (worker concurrency). Throws a
 * {@link ConfigError} listing every problem.
 */
export function parseConfig(input: ConfigInput, rename?: (path: string) => string): Readonly<JamaSyncConfig> {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw configError(formatIssues(parsed.error, rename));
  const c = parsed.data;
  if (c.softDeadlineMs >= WORKER_TIMEOUT_SECONDS * 1000) {
    throw configError([
      `softDeadlineMs: must be below the worker's timeout of ${WORKER_TIMEOUT_SECONDS * 1000} ms`,
    ]);
  }
  const totalRate = c.environments.reduce((sum, e) => sum + e.rateLimit, 0);
  return Object.freeze({
    environments: c.environments,
    schedules: { incremental: c.incrementalSchedule, fullSweep: c.fullSweepSchedule },
    sinks: {
      mirror: c.mirror,
      ...(c.forwardUrl
        ? { forward: { url: c.forwardUrl, ...(c.forwardSecretArn ? { secretArn: c.forwardSecretArn } : {}) } }
        : {}),
      ...(c.eventBus ? { eventBus: c.eventBus } : {}),
    },
    webhook: {
      sources: c.webhookSources ?? defaultWebhookSources(c.environments),
      reservedConcurrency: c.webhookReservedConcurrency,
    },
    worker: {
      ...workerConcurrency(totalRate, c.jamaP95LatencyMs, c.maxConcurrency),
      batchSize: c.batchSize,
      batchingWindowSeconds: c.batchingWindowSeconds,
      maxFailures: c.maxFailures,
      backoffCapSeconds: c.backoffCapSeconds,
      limiterMaxWaitMs: c.limiterMaxWaitMs,
      softDeadlineMs: c.softDeadlineMs,
    },
    reconcileWorker: reconcileWorkerConcurrency(c.environments, c.jamaP95LatencyMs),
    alarms: {
      ...(c.alarmEmail ? { email: c.alarmEmail } : {}),
      ...(c.alarmTopicArn ? { topicArn: c.alarmTopicArn } : {}),
      oldestMessageAgeSeconds: c.oldestMessageAgeAlarmSeconds,
      throttleSharePercent: c.throttleShareAlarmPercent,
    },
    deletionProtection: c.deletionProtection,
    logLevel: c.logLevel,
    logRetentionDays: c.logRetentionDays,
    tracing: c.tracing,
  });
}

function reconcileWorkerConcurrency(
  environments: readonly { rateLimit: number }[],
  p95LatencyMs: number,
): WorkerConcurrency {
  const maxConcurrency = reconcileConcurrency(environments, p95LatencyMs);
  return { maxConcurrency, reservedConcurrency: maxConcurrency + RESERVED_HEADROOM };
}

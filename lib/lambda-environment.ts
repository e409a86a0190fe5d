import { Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ConfigError } from '../src/core/errors';
import type { JamaEnvironmentProps, JamaSyncConfig, WebhookSourceProps } from './config/stack-config';
import type { SecretRef } from './constructs/sync-secrets';

/**
 * The environment variables of src/config.ts (`loadConfig`, `loadWebhookConfig`), built from the
 * stack's resources. Secrets travel as ARNs only: a function fetches the value itself
 * (src/adapters/secrets-manager.ts).
 */
export interface SharedResources {
  environments: readonly JamaEnvironmentProps[];
  jamaSecrets: ReadonlyMap<string, SecretRef>;
  stateTable: Table;
  jobs: IQueue;
  deadLetter: IQueue;
}

/** Lambda's limit for all environment variables of a function together. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** Length of a secret ARN once deployed (name + suffix), generously. */
const ARN_ESTIMATE = 'x'.repeat(140);

/** Fails synthesis when `entries`, serialised into `variable` with full secret ARNs, would exceed `budget` bytes. */
function checkFits(
  option: string,
  variable: string,
  entries: readonly object[],
  budget: number,
  remedy: string,
) {
  const estimate = JSON.stringify(entries.map((e) => ({ ...e, secretArn: ARN_ESTIMATE })));
  if (estimate.length > budget) {
    throw new ConfigError(
      `${option}: about ${estimate.length} bytes as ${variable}, too much for Lambda's ` +
        `${LAMBDA_ENVIRONMENT_BYTES}-byte environment; ${remedy}`,
    );
  }
}

/** What `loadConfig` needs: the Jama environments (with `projects`), state and queues. */
export function sharedEnvironment(scope: Construct, r: SharedResources): Record<string, string> {
  const environments = r.environments.map((e) => ({
    name: e.name,
    url: e.url,
    rateLimit: e.rateLimit,
    projects: e.projects,
    ...(e.backgroundShare < 1 ? { backgroundShare: e.backgroundShare } : {}),
    secretArn: r.jamaSecrets.get(e.name)?.secretArn,
  }));
  checkFits(
    'environments',
    'JAMA_SYNC_ENVIRONMENTS',
    environments,
    LAMBDA_ENVIRONMENT_BYTES / 2,
    'deploy fewer environments or projects per stack',
  );
  return {
    JAMA_SYNC_ENVIRONMENTS: Stack.of(scope).toJsonString(environments),
    JAMA_SYNC_STATE_TABLE: r.stateTable.tableName,
    JAMA_SYNC_JOBS_QUEUE_URL: r.jobs.queueUrl,
    JAMA_SYNC_DLQ_URL: r.deadLetter.queueUrl,
  };
}

/** A worker deployment: its own queue as JAMA_SYNC_JOBS_QUEUE_URL, plus sinks and tuning. */
export function workerEnvironment(
  shared: Record<string, string>,
  queue: IQueue,
  config: Pick<JamaSyncConfig, 'sinks' | 'worker'>,
  sinks: {
    mirrorTable?: Table | undefined;
    forwardSecret?: SecretRef | undefined;
    eventBusArn?: string | undefined;
  },
): Record<string, string> {
  const { worker } = config;
  return {
    ...shared,
    JAMA_SYNC_JOBS_QUEUE_URL: queue.queueUrl,
    ...(sinks.mirrorTable ? { JAMA_SYNC_MIRROR_TABLE: sinks.mirrorTable.tableName } : {}),
    ...(config.sinks.forward && sinks.forwardSecret
      ? {
          JAMA_SYNC_FORWARD_URL: config.sinks.forward.url,
          JAMA_SYNC_FORWARD_SECRET_ARN: sinks.forwardSecret.secretArn,
        }
      : {}),
    ...(sinks.eventBusArn ? { JAMA_SYNC_EVENT_BUS: sinks.eventBusArn } : {}),
    JAMA_SYNC_MAX_FAILURES: String(worker.maxFailures),
    JAMA_SYNC_BACKOFF_CAP_SECONDS: String(worker.backoffCapSeconds),
    JAMA_SYNC_LIMITER_MAX_WAIT_MS: String(worker.limiterMaxWaitMs),
    JAMA_SYNC_SOFT_DEADLINE_MS: String(worker.softDeadlineMs),
  };
}

/** The reconcile function enqueues on the reconcile queue. */
export function reconcileEnvironment(shared: Record<string, string>, queue: IQueue): Record<string, string> {
  return { ...shared, JAMA_SYNC_RECONCILE_QUEUE_URL: queue.queueUrl };
}

/** What `loadWebhookConfig` needs: `JAMA_SYNC_WEBHOOK_SOURCES` as `[{name, env, secretArn, mapping?}]`. */
export function webhookEnvironment(
  scope: Construct,
  sources: readonly WebhookSourceProps[],
  secrets: ReadonlyMap<string, SecretRef>,
  r: Pick<SharedResources, 'stateTable' | 'jobs'>,
): Record<string, string> {
  const entries = sources.map((s) => ({
    name: s.name,
    env: s.env,
    secretArn: secrets.get(s.name)?.secretArn,
    ...(s.mapping ? { mapping: s.mapping } : {}),
  }));
  checkFits(
    'webhookSources',
    'JAMA_SYNC_WEBHOOK_SOURCES',
    entries,
    LAMBDA_ENVIRONMENT_BYTES - 512,
    'shorten the mappings or use fewer sources',
  );
  return {
    JAMA_SYNC_WEBHOOK_SOURCES: Stack.of(scope).toJsonString(entries),
    JAMA_SYNC_STATE_TABLE: r.stateTable.tableName,
    JAMA_SYNC_JOBS_QUEUE_URL: r.jobs.queueUrl,
  };
}

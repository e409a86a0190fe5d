import { Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { toEnvironment, toWebhookEnvironment } from '../src/config';
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

/** JSON that may hold tokens (ARNs, names of resources not yet created). */
const jsonOf = (scope: Construct) => (value: unknown) => Stack.of(scope).toJsonString(value);

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
  return toEnvironment(
    {
      environments,
      stateTable: r.stateTable.tableName,
      jobsQueueUrl: r.jobs.queueUrl,
      deadLetterQueueUrl: r.deadLetter.queueUrl,
    },
    jsonOf(scope),
  );
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
    ...toEnvironment({
      jobsQueueUrl: queue.queueUrl,
      mirrorTable: sinks.mirrorTable?.tableName,
      forward:
        config.sinks.forward && sinks.forwardSecret
          ? { url: config.sinks.forward.url, secretArn: sinks.forwardSecret.secretArn }
          : undefined,
      eventBus: sinks.eventBusArn,
      maxFailures: worker.maxFailures,
      backoffCapSeconds: worker.backoffCapSeconds,
      limiterMaxWaitMs: worker.limiterMaxWaitMs,
      softDeadlineMs: worker.softDeadlineMs,
    }),
  };
}

/** The reconcile function enqueues on the reconcile queue. */
export function reconcileEnvironment(shared: Record<string, string>, queue: IQueue): Record<string, string> {
  return { ...shared, ...toEnvironment({ reconcileQueueUrl: queue.queueUrl }) };
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
  return toWebhookEnvironment(
    { sources: entries, stateTable: r.stateTable.tableName, jobsQueueUrl: r.jobs.queueUrl },
    jsonOf(scope),
  );
}

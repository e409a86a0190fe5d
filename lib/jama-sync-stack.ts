import { Annotations, Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../src/infra/outputs';
import { RECONCILE } from '../src/infra/resources';
import type { JamaSyncConfig } from './config/stack-config';
import { SyncAlarms } from './constructs/sync-alarms';
import { SyncDashboard } from './constructs/sync-dashboard';
import { SyncEvents } from './constructs/sync-events';
import { SyncQueues } from './constructs/sync-queues';
import { SyncReconcile } from './constructs/sync-reconcile';
import { SyncSecrets } from './constructs/sync-secrets';
import { SyncTables } from './constructs/sync-tables';
import { SyncWebhook } from './constructs/sync-webhook';
import { SyncWorker } from './constructs/sync-worker';
import type { FunctionEntries } from './entries';
import {
  reconcileEnvironment,
  sharedEnvironment,
  webhookEnvironment,
  workerEnvironment,
} from './lambda-environment';

export interface JamaSyncStackProps extends StackProps {
  config: JamaSyncConfig;
  /** Handler modules; without `webhook` or `reconcile` that function is left out (with a warning). */
  entries: FunctionEntries;
  /** Directory with package.json and package-lock.json. */
  projectRoot: string;
}

/** jama-sync on AWS: queues, tables, secrets, the functions, dashboard and alarms. */
export class JamaSyncStack extends Stack {
  constructor(scope: Construct, id: string, props: JamaSyncStackProps) {
    super(scope, id, props);
    const { config, entries, projectRoot } = props;
    const common = {
      projectRoot,
      settings: { logLevel: config.logLevel, logRetention: config.logRetentionDays, tracing: config.tracing },
    };
    const webhookSources = entries.webhook ? config.webhook.sources : [];

    const queues = new SyncQueues(this, 'Queues');
    const tables = new SyncTables(this, 'Tables', {
      mirror: config.sinks.mirror,
      deletionProtection: config.deletionProtection,
    });
    const secrets = new SyncSecrets(this, 'Secrets', {
      environments: config.environments,
      webhookSources,
      ...(config.sinks.forward ? { forward: config.sinks.forward } : {}),
    });
    const jamaSecrets = [...secrets.jama.values()];
    const { jobs, reconcile: reconcileQueue, jobsDlq: deadLetter } = queues.queues;
    const shared = sharedEnvironment(this, {
      environments: config.environments,
      jamaSecrets: secrets.jama,
      stateTable: tables.state,
      jobs,
      deadLetter,
    });
    const events = config.sinks.eventBus
      ? new SyncEvents(this, 'Events', { bus: config.sinks.eventBus })
      : undefined;
    const sinks = { mirrorTable: tables.mirror, forwardSecret: secrets.forward, eventBusArn: events?.busArn };
    const workerBase = {
      ...common,
      entry: entries.worker,
      deadLetter,
      stateTable: tables.state,
      mirrorTable: tables.mirror,
      secrets: [...jamaSecrets, ...(secrets.forward ? [secrets.forward] : [])],
    };

    const worker = new SyncWorker(this, 'Worker', {
      ...workerBase,
      ...config.worker,
      description: 'jama-sync worker: jobs queue to Jama (rate-limited) and the sinks',
      queue: jobs,
      environment: workerEnvironment(shared, jobs, config, sinks),
    });
    // The same code on the reconcile queue; its calls take the limiter's background lane, so its
    // concurrency is sized to read every environment's slices side by side, not to brake it
    // (src/infra/resources.ts, reconcileConcurrency).
    const { consumer } = RECONCILE;
    const reconcileWorker = new SyncWorker(this, 'ReconcileWorker', {
      ...workerBase,
      description: 'jama-sync worker: reconcile queue (scans, deletes, sweep pulls) to the sinks',
      queue: reconcileQueue,
      environment: workerEnvironment(shared, reconcileQueue, config, sinks),
      batchSize: consumer.batchSize,
      batchingWindowSeconds: consumer.batchingWindowSeconds,
      ...config.reconcileWorker,
    });
    const functions: Record<string, IFunction> = { Worker: worker.fn, ReconcileWorker: reconcileWorker.fn };
    // Both deployments write the sinks, so both publish change events: PutEvents on that bus only.
    if (events) {
      events.grantPut(worker.fn);
      events.grantPut(reconcileWorker.fn);
      new CfnOutput(this, 'EventBusArn', { value: events.busArn, description: 'Where change events go' });
    }

    if (entries.webhook && webhookSources.length > 0) {
      const webhook = new SyncWebhook(this, 'Webhook', {
        ...common,
        entry: entries.webhook,
        environment: webhookEnvironment(this, webhookSources, secrets.webhook, {
          stateTable: tables.state,
          jobs,
        }),
        jobs,
        stateTable: tables.state,
        secrets: [...secrets.webhook.values()],
        reservedConcurrency: config.webhook.reservedConcurrency,
      });
      functions.Webhook = webhook.fn;
      new CfnOutput(this, STACK_OUTPUTS.webhookUrl, {
        value: webhook.url.url,
        description: 'Webhook endpoint; each source posts to <WebhookUrl>webhooks/<source>',
      });
    } else if (!entries.webhook) {
      Annotations.of(this).addWarningV2(
        'jama-sync:no-webhook',
        'functions/webhook/handler.ts not found: deploying without the webhook function',
      );
    }
    if (entries.reconcile) {
      const reconcile = new SyncReconcile(this, 'Reconcile', {
        ...common,
        entry: entries.reconcile,
        environment: reconcileEnvironment(shared, reconcileQueue),
        queue: reconcileQueue,
        stateTable: tables.state,
        secrets: jamaSecrets,
        incrementalSchedule: config.schedules.incremental,
        fullSweepSchedule: config.schedules.fullSweep,
      });
      functions.Reconcile = reconcile.fn;
    } else {
      Annotations.of(this).addWarningV2(
        'jama-sync:no-reconcile',
        'functions/reconcile/handler.ts not found: deploying without scheduled reconciliation',
      );
    }

    const alarms = new SyncAlarms(this, 'Alarms', {
      jobs,
      deadLetter,
      functions,
      environments: config.environments,
      ...config.alarms,
    });
    new SyncDashboard(this, 'Dashboard', {
      queues: { jobs, reconcile: reconcileQueue },
      deadLetter,
      functions,
      environments: config.environments,
      oldestMessageAgeSeconds: config.alarms.oldestMessageAgeSeconds,
    });

    // Read back by the operator commands (`jama-sync status --stack NAME`, src/ops/).
    for (const [name, fn] of Object.entries(functions)) {
      new CfnOutput(this, `${name}FunctionName`, { value: fn.functionName });
    }
    new CfnOutput(this, STACK_OUTPUTS.jobsQueueUrl, { value: jobs.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.reconcileQueueUrl, { value: reconcileQueue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.deadLetterQueueUrl, { value: deadLetter.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.stateTable, { value: tables.state.tableName });
    if (tables.mirror) new CfnOutput(this, STACK_OUTPUTS.mirrorTable, { value: tables.mirror.tableName });
    new CfnOutput(this, STACK_OUTPUTS.environments, {
      value: config.environments.map((e) => e.name).join(','),
      description: 'Jama environments, one rate limiter item each',
    });
    if (alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, STACK_OUTPUTS.dashboardUrl, {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.stackName}`,
    });
  }
}

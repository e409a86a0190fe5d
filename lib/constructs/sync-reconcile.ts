import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RECONCILE } from '../../src/infra/resources';
import { type FunctionSettings, SyncFunction } from './sync-function';
import type { SecretRef } from './sync-secrets';

export interface SyncReconcileProps {
  /** The reconcile handler module (functions/reconcile/handler.ts). */
  entry: string;
  projectRoot: string;
  /** Must name `queue` as JAMA_SYNC_RECONCILE_QUEUE_URL. */
  environment: Record<string, string>;
  /** Where runs enqueue their first scan job: the reconcile queue. */
  queue: IQueue;
  stateTable: Table;
  /** Jama credentials: the function reads DELETE activities through the shared limiter. */
  secrets: readonly SecretRef[];
  /** @default RECONCILE.schedules.incremental.expression */
  incrementalSchedule?: string;
  /** @default RECONCILE.schedules.full.expression */
  fullSweepSchedule?: string;
  /** The stack's shared function settings. */
  settings?: FunctionSettings | undefined;
}

/** Limiter slots (UpdateItem, GetItem) and watermark leases (Get/Update/Put/Delete). */
export const RECONCILE_STATE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
];

/**
 * Scheduled reconciliation: EventBridge rules invoke the function with the inputs of
 * {@link RECONCILE} (`{"mode":"incremental"}`, `{"mode":"full"}`); it plans each project's run and
 * enqueues its first scan job on the reconcile queue, which a second worker deployment drains.
 * Reserved concurrency 1: two runs never overlap.
 */
export class SyncReconcile extends Construct {
  readonly fn: NodejsFunction;
  readonly rules: { incremental: Rule; fullSweep: Rule };

  constructor(scope: Construct, id: string, props: SyncReconcileProps) {
    super(scope, id);
    const { fn, role } = new SyncFunction(this, 'Reconcile', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      serviceName: 'reconcile',
      description: 'jama-sync reconcile: plan incremental runs and full sweeps, enqueue their scans',
      environment: props.environment,
      reservedConcurrency: 1,
      settings: props.settings,
      functionProps: { timeout: Duration.seconds(RECONCILE.timeoutSeconds), memorySize: 256 },
    });
    this.fn = fn;

    const { incremental, full } = RECONCILE.schedules;
    const rule = (ruleId: string, expression: string, input: object, description: string) =>
      new Rule(this, ruleId, {
        description,
        schedule: Schedule.expression(expression),
        targets: [
          new LambdaFunction(fn, {
            event: RuleTargetInput.fromObject(input),
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
    this.rules = {
      incremental: rule(
        'Incremental',
        props.incrementalSchedule ?? incremental.expression,
        incremental.input,
        'jama-sync: incremental reconciliation (changes since the watermark)',
      ),
      fullSweep: rule(
        'FullSweep',
        props.fullSweepSchedule ?? full.expression,
        full.input,
        'jama-sync: full sweep (every item of every project; marks and sweeps deletions)',
      ),
    };

    props.queue.grant(role, 'sqs:SendMessage');
    props.stateTable.grant(role, ...RECONCILE_STATE_ACTIONS);
    if (props.secrets.length > 0) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: props.secrets.map((s) => s.secretArn),
        }),
      );
    }
  }
}

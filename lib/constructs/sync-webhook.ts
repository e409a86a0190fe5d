import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionSettings, SyncFunction } from './sync-function';
import type { SecretRef } from './sync-secrets';

export interface SyncWebhookProps {
  /** The webhook handler module (functions/webhook/handler.ts). */
  entry: string;
  projectRoot: string;
  environment: Record<string, string>;
  jobs: IQueue;
  stateTable: Table;
  /** The HMAC secrets of the webhook sources. */
  secrets: readonly SecretRef[];
  /**
   * Caps what a flood of requests (legitimate or not) can cost and how hard it can push the queue.
   * @default 5
   */
  reservedConcurrency?: number;
  /** The stack's shared function settings. */
  settings?: FunctionSettings | undefined;
}

/**
 * The webhook endpoint: a Lambda Function URL. Its auth type is NONE because webhook senders
 * (Jama Connect, Jira, CI) cannot sign with SigV4; every request is authenticated by the handler
 * with the source's HMAC secret before anything is enqueued.
 */
/** The only state-table partition keys the webhook may write: pending-pull markers and replay nonces. */
export const WEBHOOK_STATE_KEYS = ['pending#*', 'nonce#*'];

export class SyncWebhook extends Construct {
  readonly fn: NodejsFunction;
  readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: SyncWebhookProps) {
    super(scope, id);
    const { fn, role } = new SyncFunction(this, 'Webhook', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      serviceName: 'webhook',
      description: 'jama-sync webhook: validate (HMAC), map, coalesce, enqueue',
      environment: props.environment,
      reservedConcurrency: props.reservedConcurrency ?? 5,
      settings: props.settings,
      functionProps: { timeout: Duration.seconds(10), memorySize: 256 },
    });
    this.fn = fn;
    this.url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    // SendMessageBatch needs sqs:SendMessage.
    props.jobs.grant(role, 'sqs:SendMessage');
    // Pending-pull markers: one conditional PutItem per item coalesces repeated events; when SQS
    // then refuses the jobs, the markers just claimed are released in one BatchWriteItem.
    // The state table also holds the limiter, watermarks, leases and breakers: the public webhook may
    // write only pending-pull markers (and replay nonces), by partition key.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
        resources: [props.stateTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': WEBHOOK_STATE_KEYS } },
      }),
    );
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

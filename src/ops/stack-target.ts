import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ReconcileSummary } from '../core/reconcile/start';
import { STACK_OUTPUTS, type StackOutputKey } from '../infra/outputs';
import type { Deployment, ReconcileRequestInput } from './deployment';
import { aws, awsError, OpsError } from './errors';

/** The stack's outputs by key; throws naming the stack and region when it does not exist. */
async function outputsOf(name: string, cfn: CloudFormationClient, region: string) {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: name })).catch((error: unknown) => {
    if ((error as { name?: string }).name === 'ValidationError') {
      throw new OpsError(
        'TARGET_NOT_FOUND',
        `Stack ${name} not found in ${region}: deploy it with \`npx cdk deploy\` or pass --region.`,
        error,
      );
    }
    throw awsError(error, `describe stack ${name} in ${region}`);
  });
  const byKey = new Map((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const get = (key: StackOutputKey) => byKey.get(STACK_OUTPUTS[key]) || undefined;
  const need = (key: StackOutputKey) => {
    const value = get(key);
    if (value) return value;
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `Stack ${name} in ${region} has no output ${STACK_OUTPUTS[key]}: is it a jama-sync stack? Redeploy it with \`npx cdk deploy\`.`,
    );
  };
  return { get, need };
}

async function invokeReconcile(
  lambda: LambdaClient,
  functionName: string | undefined,
  stack: string,
  request: ReconcileRequestInput,
): Promise<ReconcileSummary> {
  if (!functionName) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `Stack ${stack} has no reconcile function: deploy it with functions/reconcile.`,
    );
  }
  const out = await aws(`invoke ${functionName}`, () =>
    lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(request)) }),
    ),
  );
  const payload = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8') || 'null');
  if (out.FunctionError) {
    const why = (payload as { errorMessage?: string } | null)?.errorMessage ?? out.FunctionError;
    throw new OpsError(
      'OPERATION_FAILED',
      `The reconcile function failed: ${why}. Its log group has the details.`,
    );
  }
  return payload as ReconcileSummary;
}

/**
 * A deployed stack, found by name through its CloudFormation outputs (src/infra/outputs.ts).
 * Credentials and the default region come from the SDK's usual chain (AWS_PROFILE, SSO, …).
 */
export async function openStack(name: string, region?: string): Promise<Deployment> {
  const cfn = new CloudFormationClient(region ? { region } : {});
  try {
    const resolved = await aws('reach CloudFormation', () => cfn.config.region());
    const { get, need } = await outputsOf(name, cfn, resolved);
    // The queues are in the stack's region: use its endpoint (or AWS_ENDPOINT_URL_SQS), not each URL's host.
    const sqs = new SQSClient({ region: resolved, useQueueUrlAsEndpoint: false });
    const dynamodb = new DynamoDBClient({ region: resolved });
    const lambda = new LambdaClient({ region: resolved });
    const mirror = get('mirrorTable');
    const webhookUrl = get('webhookUrl')?.replace(/\/$/, '');
    const dashboardUrl = get('dashboardUrl');
    return {
      kind: 'stack',
      label: `stack ${name} in ${resolved}`,
      sqs,
      dynamodb,
      tables: { state: need('stateTable'), ...(mirror ? { mirror } : {}) },
      queues: {
        jobs: need('jobsQueueUrl'),
        reconcile: need('reconcileQueueUrl'),
        deadLetter: need('deadLetterQueueUrl'),
      },
      environments: (get('environments') ?? 'default').split(',').filter(Boolean),
      ...(webhookUrl ? { webhookUrl } : {}),
      ...(dashboardUrl ? { dashboardUrl } : {}),
      reconcile: (request) => invokeReconcile(lambda, get('reconcileFunction'), name, request),
      close() {
        for (const client of [sqs, dynamodb, lambda]) client.destroy();
      },
    };
  } finally {
    cfn.destroy();
  }
}

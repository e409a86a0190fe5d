import { STACK_OUTPUTS } from '../../src/infra/outputs';
import { build, logicalId, type Resources } from './support';

type Outputs = Record<string, { Value: unknown }>;

const { template } = build();
const resources = template.toJSON().Resources as Resources;
const outputs = template.toJSON().Outputs as Outputs;
/** The resource whose logical id is `prefix` plus CDK's 8-digit hash (`QueuesJobs` is not `QueuesJobsDlq`). */
const ref = (type: string, prefix: string) => {
  const ids = Object.keys(resources).filter(
    (id) => resources[id]?.Type === type && new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  expect(ids).toHaveLength(1);
  return { Ref: ids[0] };
};

describe('stack outputs the operator commands read (jama-sync status --stack NAME)', () => {
  it.each([
    ['jobsQueueUrl', ref('AWS::SQS::Queue', 'QueuesJobs')],
    ['reconcileQueueUrl', ref('AWS::SQS::Queue', 'QueuesReconcile')],
    ['deadLetterQueueUrl', ref('AWS::SQS::Queue', 'QueuesJobsDlq')],
    ['stateTable', ref('AWS::DynamoDB::Table', 'TablesState')],
    ['mirrorTable', ref('AWS::DynamoDB::Table', 'TablesMirror')],
    ['reconcileFunction', ref('AWS::Lambda::Function', 'ReconcileFunction')],
  ] as const)('%s names the deployed resource', (key, value) => {
    expect(outputs[STACK_OUTPUTS[key]]?.Value).toEqual(value);
  });

  it('lists the Jama environments (one limiter item each) and the webhook and dashboard URLs', () => {
    expect(outputs[STACK_OUTPUTS.environments]?.Value).toBe('default');
    expect(outputs[STACK_OUTPUTS.webhookUrl]?.Value).toEqual({
      'Fn::GetAtt': [logicalId(resources, 'AWS::Lambda::Url', 'Webhook'), 'FunctionUrl'],
    });
    expect(outputs[STACK_OUTPUTS.dashboardUrl]).toBeDefined();
  });

  it('names every environment of a multi-environment stack', () => {
    const environments = JSON.stringify([
      { name: 'prod', url: 'https://acme.jamacloud.com', projects: [20] },
      { name: 'test', url: 'https://acme-test.jamacloud.com', projects: [5] },
    ]);
    const multi = build({ environments }).template.toJSON().Outputs as Outputs;
    expect(multi[STACK_OUTPUTS.environments]?.Value).toBe('prod,test');
  });
});

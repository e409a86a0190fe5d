import { Match } from 'aws-cdk-lib/assertions';
import { QUEUES, WORKER_TIMEOUT_SECONDS } from '../../src/infra/resources';
import { build, MINIMAL, type Resources } from './support';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jama/prod-AbCdEf';

describe('queues', () => {
  const { template } = build();
  const queues = template.findResources('AWS::SQS::Queue') as Resources;

  it('creates every queue of src/infra/resources.ts', () => {
    expect(Object.keys(queues)).toHaveLength(Object.keys(QUEUES).length);
  });

  it('encrypts every queue (SSE-SQS)', () => {
    for (const q of Object.values(queues)) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('denies every request without TLS on every queue', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy') as Resources);
    const guarded = policies.flatMap((p) => {
      const statements = (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      const denies = statements.some(
        (s) =>
          s.Effect === 'Deny' &&
          s.Action === 'sqs:*' &&
          JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
      );
      return denies ? (p.Properties.Queues as { Ref: string }[]).map((q) => q.Ref) : [];
    });
    expect(guarded.sort()).toEqual(Object.keys(queues).sort());
  });

  it('sends work queues to the dead-letter queue after maxReceiveCount receives', () => {
    const withDlq = Object.values(queues).filter((q) => q.Properties.RedrivePolicy);
    expect(withDlq).toHaveLength(2);
    for (const q of withDlq) {
      expect(q.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^QueuesJobsDlq/), 'Arn'] },
        maxReceiveCount: QUEUES.jobs.deadLetter.maxReceiveCount,
      });
    }
  });

  it('keeps a consumed message invisible for at least 6 × its consumer’s timeout', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping') as Resources);
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      const queue =
        queues[(m.Properties.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? ''];
      const fn = functions[(m.Properties.FunctionName as { Ref: string }).Ref];
      expect(fn?.Properties?.Timeout).toBe(WORKER_TIMEOUT_SECONDS);
      expect(queue?.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * WORKER_TIMEOUT_SECONDS);
    }
  });
});

describe('tables', () => {
  it('turns on point-in-time recovery on both tables, TTL on the state table', () => {
    const { template } = build();
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('protects and retains the mirror by default', () => {
    build().template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'env', KeyType: 'HASH' },
          { AttributeName: 'itemId', KeyType: 'RANGE' },
        ],
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('lets the mirror go with the stack when deletionProtection=false', () => {
    build({ ...MINIMAL, deletionProtection: 'false' }).template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: Match.arrayWith([{ AttributeName: 'itemId', KeyType: 'RANGE' }]),
        DeletionProtectionEnabled: false,
      }),
      DeletionPolicy: 'Delete',
    });
  });

  it('creates no mirror when the mirror sink is off', () => {
    const { template } = build({ ...MINIMAL, mirror: 'false', forwardUrl: 'https://hooks.example.com/x' });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });
});

describe('secrets', () => {
  it('creates one credentials secret per Jama environment, named for put-secret-value', () => {
    const { template } = build({
      environments: JSON.stringify([
        { name: 'prod', url: 'https://acme.jamacloud.com', projects: [20] },
        { name: 'test', url: 'https://acme-test.jamacloud.com', projects: [30] },
      ]),
    });
    for (const name of ['JamaSync/jama/prod', 'JamaSync/jama/test', 'JamaSync/webhook/jama-prod']) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: name });
    }
  });

  it('creates a forward signing secret when forwarding', () => {
    build({ ...MINIMAL, forwardUrl: 'https://hooks.example.com/x' }).template.hasResourceProperties(
      'AWS::SecretsManager::Secret',
      { Name: 'JamaSync/forward', GenerateSecretString: Match.objectLike({ GenerateStringKey: 'secret' }) },
    );
  });

  it('references an existing secret instead of creating one', () => {
    const { template } = build({ ...MINIMAL, jamaSecretArn: ARN, webhookSources: '' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: ARN },
        ]),
      },
    });
  });
});

import { build, logicalId, MINIMAL, type Resources } from './support';

const { template } = build({ ...MINIMAL, forwardUrl: 'https://hooks.example.com/jama' });
const resources = template.toJSON().Resources as Resources;
const id = (type: string, prefix: string) => logicalId(resources, type, prefix);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

/** A resource reference as the logical id it names; literal ARNs stay as they are. */
function target(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as { Ref?: string; 'Fn::GetAtt'?: string[] };
  return r.Ref ?? r['Fn::GetAtt']?.[0] ?? JSON.stringify(resource);
}

/** `action → target` grants of the policy attached to the role whose id starts with `rolePrefix`. */
function grants(rolePrefix: string): string[] {
  const role = id('AWS::IAM::Role', rolePrefix);
  const policy = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]),
  );
  if (!policy) throw new Error(`no policy on ${role}`);
  const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  const out = new Set<string>();
  for (const s of statements) {
    for (const action of [s.Action].flat()) {
      for (const resource of [s.Resource].flat()) out.add(`${action} → ${target(resource)}`);
    }
  }
  return [...out].sort();
}

const LOGS = (prefix: string) => [
  `logs:CreateLogStream → ${id('AWS::Logs::LogGroup', prefix)}`,
  `logs:PutLogEvents → ${id('AWS::Logs::LogGroup', prefix)}`,
];
const CONSUME = [
  'ChangeMessageVisibility',
  'DeleteMessage',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ReceiveMessage',
];
const JOBS = id('AWS::SQS::Queue', 'QueuesJobs4');
const RECONCILE_Q = id('AWS::SQS::Queue', 'QueuesReconcile');
const DLQ = id('AWS::SQS::Queue', 'QueuesJobsDlq');
const STATE = id('AWS::DynamoDB::Table', 'TablesState');
const MIRROR = id('AWS::DynamoDB::Table', 'TablesMirror');
const JAMA_SECRET = id('AWS::SecretsManager::Secret', 'SecretsJamadefault');
const JAMA_SYNC_FORWARD_SECRET = id('AWS::SecretsManager::Secret', 'SecretsForward');
const WEBHOOK_SECRET = id('AWS::SecretsManager::Secret', 'SecretsWebhookjama');

const worker = (queue: string) => [
  ...LOGS(queue === JOBS ? 'WorkerLogs' : 'ReconcileWorkerLogs'),
  ...CONSUME.map((a) => `sqs:${a} → ${queue}`),
  `sqs:SendMessage → ${queue}`,
  `sqs:SendMessage → ${DLQ}`,
  ...['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'].map(
    (a) => `dynamodb:${a} → ${STATE}`,
  ),
  ...['BatchGetItem', 'PutItem', 'Query'].map((a) => `dynamodb:${a} → ${MIRROR}`),
  `secretsmanager:GetSecretValue → ${JAMA_SECRET}`,
  `secretsmanager:GetSecretValue → ${JAMA_SYNC_FORWARD_SECRET}`,
];

describe('IAM', () => {
  it.each([
    ['worker', 'WorkerRole', worker(JOBS)],
    ['reconcile worker', 'ReconcileWorkerRole', worker(RECONCILE_Q)],
    [
      'webhook',
      'WebhookRole',
      [
        ...LOGS('WebhookLogs'),
        `sqs:SendMessage → ${JOBS}`,
        `dynamodb:BatchWriteItem → ${STATE}`,
        `dynamodb:PutItem → ${STATE}`,
        `secretsmanager:GetSecretValue → ${WEBHOOK_SECRET}`,
      ],
    ],
    [
      'reconcile function',
      'ReconcileRole',
      [
        ...LOGS('ReconcileLogs'),
        `sqs:SendMessage → ${RECONCILE_Q}`,
        ...['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'].map((a) => `dynamodb:${a} → ${STATE}`),
        `secretsmanager:GetSecretValue → ${JAMA_SECRET}`,
      ],
    ],
  ])('grants the %s exactly what it uses, on its own resources', (_, role, expected) => {
    expect(grants(role)).toEqual([...new Set(expected)].sort());
  });

  it('lets the webhook write only pending-marker and nonce keys of the state table', () => {
    const role = id('AWS::IAM::Role', 'WebhookRole');
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]),
    );
    if (!policy) throw new Error(`no policy on ${role}`);
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const onState = statements.filter((s) => [s.Resource].flat().map(target).includes(STATE));
    expect(onState).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['pending#*', 'nonce#*'] } },
      }),
    ]);
  });

  it('uses no wildcard action anywhere, and `*` resources only for X-Ray', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy') as Resources)) {
      for (const s of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        const actions = [s.Action].flat();
        expect(actions.filter((a) => a.includes('*'))).toEqual([]);
        const resources = [s.Resource].flat().map(target);
        if (resources.some((r) => r.includes('*'))) expect(actions.sort()).toEqual(XRAY);
      }
    }
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role') as Resources)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('with tracing=true', () => {
  it('turns X-Ray active tracing on and grants only its two write actions on `*`', () => {
    const json = JSON.stringify(build({ ...MINIMAL, tracing: 'true' }).template.toJSON());
    expect(json).toContain('"Mode":"Active"');
    expect([...new Set(json.match(/xray:\w+/g))].sort()).toEqual(XRAY);
  });
});

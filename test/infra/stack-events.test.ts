import { AwsSolutionsChecks } from 'cdk-nag';
import { build, functionEnvironment, logicalId, MINIMAL, type Resources } from './support';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every statement granting events:* in the template, with the policy's role(s). */
function eventGrants(resources: Resources) {
  const found: { roles: unknown; resource: unknown; action: unknown }[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const s of (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
      if ([s.Action].flat().some((a) => a.startsWith('events:')))
        found.push({ roles: r.Properties.Roles, resource: s.Resource, action: s.Action });
    }
  }
  return found;
}

describe('change events on EventBridge (-c eventBus=…)', () => {
  it('eventBus=create: a bus of its own, PutEvents on it for both workers only, JAMA_SYNC_EVENT_BUS set; cdk-nag clean', () => {
    const { app, template } = build({ ...MINIMAL, eventBus: 'create' });
    const resources = template.toJSON().Resources as Resources;
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const bus = logicalId(resources, 'AWS::Events::EventBus', 'EventsBus');
    const grants = eventGrants(resources);
    expect(grants.map((g) => g.action)).toEqual(['events:PutEvents', 'events:PutEvents']);
    for (const g of grants) expect(g.resource).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
    const roles = grants.flatMap((g) => (g.roles as { Ref: string }[]).map((r) => r.Ref)).sort();
    expect(roles).toEqual([
      logicalId(resources, 'AWS::IAM::Role', 'ReconcileWorkerRole'),
      logicalId(resources, 'AWS::IAM::Role', 'WorkerRole'),
    ]);
    const worker = logicalId(resources, 'AWS::Lambda::Function', 'WorkerFunction');
    expect(functionEnvironment(resources, worker).JAMA_SYNC_EVENT_BUS).toBe(`arn:aws:test:::${bus}.Arn`);
    const webhook = logicalId(resources, 'AWS::Lambda::Function', 'WebhookFunction');
    expect(functionEnvironment(resources, webhook).JAMA_SYNC_EVENT_BUS).toBeUndefined();

    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it.each([
    [
      'an existing bus ARN',
      'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
      'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
    ],
    ['the default bus', 'default', 'event-bus/default'],
  ])('eventBus = %s: no bus created, PutEvents on that bus only', (_, eventBus, expected) => {
    const { template } = build({ ...MINIMAL, eventBus });
    const resources = template.toJSON().Resources as Resources;
    template.resourceCountIs('AWS::Events::EventBus', 0);
    const grants = eventGrants(resources);
    expect(grants).toHaveLength(2);
    for (const g of grants) {
      expect(g.action).toBe('events:PutEvents');
      expect(JSON.stringify(g.resource)).toContain(expected);
      expect(JSON.stringify(g.resource)).not.toContain('*');
    }
  });

  it.each([
    [{ eventBus: 'mine' }, 'eventBus'],
    [
      { eventBus: 'create', mirror: 'false', forwardUrl: 'https://x.example.com' },
      'change events need the mirror',
    ],
  ])('refuses %j with a clear message', (context, message) => {
    expect(() => build({ ...MINIMAL, ...context })).toThrow(message);
  });
});

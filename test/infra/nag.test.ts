import { Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { build, MINIMAL } from './support';

const EVERYTHING = {
  environments: JSON.stringify([
    { name: 'prod', url: 'https://acme.jamacloud.com', projects: [20, 21] },
    {
      name: 'test',
      url: 'https://acme-test.jamacloud.com',
      projects: [30],
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jama/test-AbCdEf',
    },
  ]),
  forwardUrl: 'https://hooks.example.com/jama',
  alarmEmail: 'ops@example.com',
  tracing: 'true',
};

/** Every acknowledgement in the tree: `[construct path, rule id, reason]`. */
function acknowledgements(root: IConstruct): [string, string, string][] {
  const found: [string, string, string][] = [];
  const walk = (c: IConstruct) => {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push([c.node.path, rule.replace(/^annotation::/i, ''), reason]);
      }
    }
    for (const child of c.node.children) walk(child);
  };
  walk(root);
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['the minimal configuration', MINIMAL],
    ['tracing on', { ...MINIMAL, tracing: 'true' }],
    ['several environments, forwarding and alarm email', EVERYTHING],
    [
      'an existing alarm topic and no mirror',
      {
        ...MINIMAL,
        mirror: 'false',
        forwardUrl: 'https://x.example.com',
        alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      },
    ],
  ])('finds nothing unacknowledged in %s', (_, context) => {
    const { app } = build(context);
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the expected rules, each with a reason', () => {
    const { app } = build(EVERYTHING);
    const acks = acknowledgements(app);
    const byRule = new Map<string, string[]>();
    for (const [path, rule, reason] of acks) {
      expect(reason.length).toBeGreaterThan(60);
      byRule.set(rule, [...(byRule.get(rule) ?? []), path.split('/').slice(1).join('/')]);
    }
    expect(Object.fromEntries(byRule)).toEqual({
      // nodejs22.x is pinned to the toolchain; cdk-nag wants the newest runtime.
      'AwsSolutions-L1': [
        'Worker/Worker/Function',
        'ReconcileWorker/Worker/Function',
        'Webhook/Webhook/Function',
        'Reconcile/Reconcile/Function',
      ],
      // X-Ray's two write actions have no resource-level permissions.
      'AwsSolutions-IAM5[Resource::*]': [
        'Worker/Worker/Role',
        'ReconcileWorker/Worker/Role',
        'Webhook/Webhook/Role',
        'Reconcile/Reconcile/Role',
      ],
      // Jama credentials and HMAC secrets cannot be rotated by a Secrets Manager rotation function.
      'AwsSolutions-SMG4': [
        'Secrets/Jama-prod',
        'Secrets/Webhook-jama-prod',
        'Secrets/Webhook-jama-test',
        'Secrets/Forward',
      ],
    });
  });
});

describe('the cdk-nag harness', () => {
  it('is not vacuous: it reports a queue that allows plain HTTP', () => {
    const { app, stack } = build();
    new Queue(stack, 'Loose', { encryption: QueueEncryption.SQS_MANAGED });
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-SQS4');
  });
});

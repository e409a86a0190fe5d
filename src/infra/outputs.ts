/**
 * Names of the CloudFormation outputs the stack (lib/) publishes and the operator commands
 * (`jama-sync status --stack NAME`, src/ops/) read back. One list, so they cannot drift apart.
 */
export const STACK_OUTPUTS = {
  jobsQueueUrl: 'JobsQueueUrl',
  reconcileQueueUrl: 'ReconcileQueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  stateTable: 'StateTableName',
  /** Absent when the stack has no mirror sink. */
  mirrorTable: 'MirrorTableName',
  /** Absent when the stack was deployed without the reconcile function. */
  reconcileFunction: 'ReconcileFunctionName',
  /** Absent without webhook sources. */
  webhookUrl: 'WebhookUrl',
  dashboardUrl: 'DashboardUrl',
  /** Names of the configured Jama environments, comma-separated (one limiter item each). */
  environments: 'JamaEnvironments',
} as const;

export type StackOutputKey = keyof typeof STACK_OUTPUTS;

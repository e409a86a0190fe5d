/**
 * The one definition of jama-sync's tables and queues, read by the CDK stack (lib/) and by the
 * local runtime (src/local/), so that what runs on a laptop cannot drift from what is deployed.
 * Plain data: no AWS or CDK imports.
 */

export type KeyType = 'S' | 'N';

export interface TableSpec {
  /** Suffix of the physical name: `<prefix>-<suffix>` locally; CloudFormation names it in AWS. */
  suffix: string;
  partitionKey: { name: string; type: KeyType };
  sortKey?: { name: string; type: KeyType };
  /** Attribute holding an epoch-seconds expiry, if the table uses DynamoDB TTL. */
  ttlAttribute?: string;
}

export interface QueueSpec {
  suffix: string;
  /** Seconds a received message stays invisible before another consumer may receive it. */
  visibilityTimeoutSeconds: number;
  /** Seconds SQS keeps a message before discarding it. */
  retentionSeconds: number;
  /** Key of the dead-letter queue in {@link QUEUES}, and the receive count that moves a message there. */
  deadLetter?: { queue: string; maxReceiveCount: number };
}

export const TABLES = {
  /** Limiter items, reconcile watermarks and pending-pull markers: one string key, TTL on markers. */
  state: { suffix: 'state', partitionKey: { name: 'pk', type: 'S' }, ttlAttribute: 'expiresAt' },
  /** The downstream copy of Jama items: one partition per Jama environment, sorted by item id. */
  mirror: {
    suffix: 'mirror',
    partitionKey: { name: 'env', type: 'S' },
    sortKey: { name: 'itemId', type: 'N' },
  },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof TABLES;

/**
 * The worker's Lambda timeout; the queue's visibility timeout is six times it, as AWS advises for
 * SQS event sources, so a batch still being processed is never delivered twice.
 */
export const WORKER_TIMEOUT_SECONDS = 60;

/**
 * maxReceiveCount is a backstop only: throttled messages are re-sent with a carried attempt count
 * before they reach it, and real failures are counted in the message body (see the sync worker).
 */
export const QUEUES = {
  jobs: {
    suffix: 'jobs',
    visibilityTimeoutSeconds: 6 * WORKER_TIMEOUT_SECONDS,
    retentionSeconds: 14 * 24 * 3600,
    deadLetter: { queue: 'jobsDlq', maxReceiveCount: 10 },
  },
  jobsDlq: { suffix: 'jobs-dlq', visibilityTimeoutSeconds: 30, retentionSeconds: 14 * 24 * 3600 },
} as const satisfies Record<string, QueueSpec>;

export type QueueKey = keyof typeof QUEUES;

/** Physical names for a local deployment called `prefix`. */
export function localName(prefix: string, spec: { suffix: string }): string {
  return `${prefix}-${spec.suffix}`;
}

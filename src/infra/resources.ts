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
  /** Global secondary indexes (projection ALL); sparse when only some rows carry the key. */
  globalIndexes?: readonly IndexSpec[];
}

export interface IndexSpec {
  name: string;
  partitionKey: { name: string; type: KeyType };
  sortKey?: { name: string; type: KeyType };
}

/**
 * The mirror's relationship indexes: live relationship rows carry `fromKey` / `toKey`
 * (`<env>#<itemId>`), so "links from / to this item" is one query; item rows and tombstones carry
 * neither and stay out of them.
 */
export const MIRROR_INDEXES = {
  byFromItem: {
    name: 'byFromItem',
    partitionKey: { name: 'fromKey', type: 'S' },
    sortKey: { name: 'itemId', type: 'N' },
  },
  byToItem: {
    name: 'byToItem',
    partitionKey: { name: 'toKey', type: 'S' },
    sortKey: { name: 'itemId', type: 'N' },
  },
} as const satisfies Record<string, IndexSpec>;

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
  /**
   * The downstream copy of Jama items: one partition per Jama environment, sorted by item id; the
   * environment's relationships in a partition `<env>#relationships` beside it, sorted by
   * relationship id and indexed by their ends.
   */
  mirror: {
    suffix: 'mirror',
    partitionKey: { name: 'env', type: 'S' },
    sortKey: { name: 'itemId', type: 'N' },
    globalIndexes: [MIRROR_INDEXES.byFromItem, MIRROR_INDEXES.byToItem],
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
  /**
   * Reconciliation's scan, delete and sweep-pull jobs, kept apart from webhook pulls so a long scan
   * never sits in front of them; consumed by a second deployment of the worker (see {@link RECONCILE}).
   */
  reconcile: {
    suffix: 'reconcile',
    visibilityTimeoutSeconds: 6 * WORKER_TIMEOUT_SECONDS,
    retentionSeconds: 14 * 24 * 3600,
    deadLetter: { queue: 'jobsDlq', maxReceiveCount: 10 },
  },
  jobsDlq: { suffix: 'jobs-dlq', visibilityTimeoutSeconds: 30, retentionSeconds: 14 * 24 * 3600 },
} as const satisfies Record<string, QueueSpec>;

export type QueueKey = keyof typeof QUEUES;

/**
 * Scheduled reconciliation (docs/reconcile.md). The reconcile queue's consumer is the sync-worker
 * code deployed a second time with `JAMA_SYNC_JOBS_QUEUE_URL` set to the reconcile queue. Concurrency is not
 * the brake: every scan call takes the limiter's background lane, which only books slots that
 * interactive work leaves, so reconciliation may run as many slices side by side as it needs to
 * fill the rate. Each invocation reads a slice for up to 40 s, so the consumer needs about one
 * concurrent invocation per slice being read (a large project is split into up to 8), or slices
 * wait for a free one.
 */
export const RECONCILE = {
  /** EventBridge schedules and the input each passes to the reconcile function. */
  schedules: {
    incremental: { expression: 'rate(15 minutes)', input: { mode: 'incremental' } },
    full: { expression: 'cron(30 3 * * ? *)', input: { mode: 'full' } },
  },
  /**
   * Event source mapping of the reconcile queue (batches over 10 would need a batching window).
   * Its `maximumConcurrency` is {@link reconcileConcurrency}: sized from the environments, never
   * below `minimumConcurrency`.
   */
  consumer: { queue: 'reconcile', minimumConcurrency: 10, batchSize: 10, batchingWindowSeconds: 0 },
  /** The reconcile function only plans and reads DELETE activities; it never pages items. */
  timeoutSeconds: 120,
} as const;

/** p95 latency of one Jama call that sizing assumes unless told (CDK context `jamaP95LatencyMs`). */
export const DEFAULT_JAMA_P95_MS = 300;

/** What writing one page of 50 items to the sinks adds to a scan page's time, for sizing. */
export const PAGE_WRITE_MS = 250;

/**
 * The reconcile consumer's `maximumConcurrency` for these environments. Each environment needs
 * as many sequential scan readers as fill its own rate — rate × (p95 latency + {@link PAGE_WRITE_MS})
 * × 1.2, the rule its runs are split by (`sliceCount`) — and each reader may land in an invocation
 * of its own, so the environments' readers add up; never below `minimumConcurrency` (the slices
 * of a few projects side by side). Shared by the CDK stack and the local runtime.
 *
 * @example reconcileConcurrency([{ rateLimit: 10 }]) // 10 (7 readers; the minimum)
 * @example reconcileConcurrency(Array(5).fill({ rateLimit: 10 })) // 35
 */
export function reconcileConcurrency(
  environments: readonly { rateLimit: number }[],
  p95LatencyMs = DEFAULT_JAMA_P95_MS,
): number {
  const pageSeconds = (p95LatencyMs + PAGE_WRITE_MS) / 1000;
  const readers = environments.reduce((sum, e) => sum + Math.ceil(e.rateLimit * pageSeconds * 1.2 - 1e-9), 0);
  return Math.max(RECONCILE.consumer.minimumConcurrency, readers);
}

/** Physical names for a local deployment called `prefix`. */
export function localName(prefix: string, spec: { suffix: string }): string {
  return `${prefix}-${spec.suffix}`;
}

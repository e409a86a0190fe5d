import { z } from 'zod';
import { ConfigError } from './core/errors';
import { type WebhookSourceConfig, webhookSourceSchema } from './core/webhook/source';

/**
 * The environment contract, each variable named once: what {@link loadConfig} reads and
 * {@link toEnvironment} writes (the stack, lib/lambda-environment.ts, and the local runtime).
 */
export const ENV = {
  environments: 'JAMA_SYNC_ENVIRONMENTS',
  url: 'JAMA_SYNC_URL',
  clientId: 'JAMA_SYNC_CLIENT_ID',
  clientSecret: 'JAMA_SYNC_CLIENT_SECRET',
  environmentName: 'JAMA_SYNC_ENVIRONMENT_NAME',
  username: 'JAMA_SYNC_USERNAME',
  password: 'JAMA_SYNC_PASSWORD',
  rateLimit: 'JAMA_SYNC_RATE_LIMIT',
  stateTable: 'JAMA_SYNC_STATE_TABLE',
  mirrorTable: 'JAMA_SYNC_MIRROR_TABLE',
  jobsQueueUrl: 'JAMA_SYNC_JOBS_QUEUE_URL',
  deadLetterQueueUrl: 'JAMA_SYNC_DLQ_URL',
  forwardUrl: 'JAMA_SYNC_FORWARD_URL',
  forwardSecret: 'JAMA_SYNC_FORWARD_SECRET',
  forwardSecretArn: 'JAMA_SYNC_FORWARD_SECRET_ARN',
  eventBus: 'JAMA_SYNC_EVENT_BUS',
  maxFailures: 'JAMA_SYNC_MAX_FAILURES',
  backoffCapSeconds: 'JAMA_SYNC_BACKOFF_CAP_SECONDS',
  outageBudgetSeconds: 'JAMA_SYNC_OUTAGE_BUDGET_SECONDS',
  limiterMaxWaitMs: 'JAMA_SYNC_LIMITER_MAX_WAIT_MS',
  limiterMaxLatenessMs: 'JAMA_SYNC_LIMITER_MAX_LATENESS_MS',
  softDeadlineMs: 'JAMA_SYNC_SOFT_DEADLINE_MS',
  projects: 'JAMA_SYNC_PROJECTS',
  reconcileQueueUrl: 'JAMA_SYNC_RECONCILE_QUEUE_URL',
  reconcileOverlapMs: 'JAMA_SYNC_RECONCILE_OVERLAP_MS',
  reconcileLeaseMs: 'JAMA_SYNC_RECONCILE_LEASE_MS',
  reconcileStallMs: 'JAMA_SYNC_RECONCILE_STALL_MS',
  backgroundShare: 'JAMA_SYNC_BACKGROUND_SHARE',
} as const;

/** The webhook function's own variables (besides `ENV.stateTable` and `ENV.jobsQueueUrl`). */
export const WEBHOOK_ENV = {
  sources: 'JAMA_SYNC_WEBHOOK_SOURCES',
  pendingTtlSeconds: 'JAMA_SYNC_PENDING_TTL_SECONDS',
} as const;

/** A credential: blank or whitespace-only values are refused, never sent to Jama. */
const secret = z
  .string()
  .min(1)
  .refine((v) => v.trim() !== '', 'is blank (only whitespace)');

/** How to reach one Jama environment. Credentials come inline (local) or from a secret (AWS). */
const environmentSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1–64 letters, digits, `_`, `.` or `-`'),
    url: z.url({ protocol: /^https?$/ }),
    /** Calls per second the environment allows (shared by every integration). */
    rateLimit: z.number().positive().max(1000).default(10),
    clientId: secret.optional(),
    clientSecret: secret.optional(),
    username: secret.optional(),
    password: secret.optional(),
    /** Secrets Manager secret holding `{"clientId","clientSecret"}` or `{"username","password"}`. */
    secretArn: z.string().startsWith('arn:').optional(),
    /** Projects scheduled reconciliation keeps in sync. @default [] */
    projects: z.array(z.number().int().positive()).default([]),
    /**
     * Fraction of `rateLimit` reconciliation may use on its own (webhook-driven work may always use
     * all of it): headroom for other integrations that cannot stand a 429. @default 1
     */
    backgroundShare: z.number().gt(0).max(1).default(1),
  })
  .refine((e) => e.secretArn || (e.clientId && e.clientSecret) || (e.username && e.password), {
    message: 'give clientId and clientSecret, username and password, or secretArn',
  });

export type JamaEnvironmentConfig = z.infer<typeof environmentSchema>;

/** A decimal number in an environment variable: `0x10`, `1e3` or blanks are refused, not read as numbers. */
const decimal = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'expected a decimal number')
  .transform(Number);
const int = (min: number, max: number) => decimal.pipe(z.number().int().min(min).max(max));

const envSchema = z.object({
  [ENV.environments]: z.string().optional(),
  [ENV.url]: z.string().optional(),
  [ENV.clientId]: z.string().optional(),
  [ENV.clientSecret]: z.string().optional(),
  [ENV.environmentName]: z.string().default('default'),
  [ENV.username]: z.string().optional(),
  [ENV.password]: z.string().optional(),
  [ENV.rateLimit]: decimal.pipe(z.number().positive().max(1000)).default(10),
  [ENV.stateTable]: z.string().min(1),
  [ENV.mirrorTable]: z.string().min(1).optional(),
  [ENV.jobsQueueUrl]: z.url(),
  [ENV.deadLetterQueueUrl]: z.url(),
  [ENV.forwardUrl]: z.url({ protocol: /^https?$/ }).optional(),
  [ENV.forwardSecret]: z
    .string()
    .refine((v) => v.trim().length >= 16, 'use at least 16 characters (not counting blanks)')
    .optional(),
  [ENV.forwardSecretArn]: z.string().startsWith('arn:').optional(),
  /** Publish change events to this EventBridge bus (`default`, a name or an ARN); needs JAMA_SYNC_MIRROR_TABLE. */
  [ENV.eventBus]: z
    .string()
    .regex(
      /^(arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/,
      'expected `default`, a bus name or a bus ARN',
    )
    .optional(),
  [ENV.maxFailures]: int(1, 100).default(5),
  [ENV.backoffCapSeconds]: int(3, 900).default(300),
  /** Transient failures (outages, garbage bodies, sink errors) are retried this long before a dead letter. */
  [ENV.outageBudgetSeconds]: int(0, 86_400).default(900),
  [ENV.limiterMaxWaitMs]: int(0, 60_000).default(2000),
  /**
   * A limiter slot is forfeited when the acquire resolves later than this after it (see
   * SEND_JITTER_MS in src/core/limiter/config.ts). The local runtime, whose acquirers share one
   * clock, may spend the unused clock-skew allowance here: its event loop is busier than a Lambda's.
   */
  [ENV.limiterMaxLatenessMs]: int(0, 100).default(11),
  /** Stop starting new work this long before the Lambda deadline. */
  [ENV.softDeadlineMs]: int(0, 600_000).default(10_000),
  /** Projects to reconcile for the single environment of `JAMA_SYNC_URL`, e.g. `20,21`. */
  [ENV.projects]: z
    .string()
    .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'expected project ids separated by commas, e.g. `20,21`')
    .optional(),
  /** Where reconciliation enqueues its jobs; defaults to JAMA_SYNC_JOBS_QUEUE_URL. */
  [ENV.reconcileQueueUrl]: z.url().optional(),
  /** An incremental run re-reads this much before its watermark (late commits, clock skew). */
  [ENV.reconcileOverlapMs]: int(0, 86_400_000).default(120_000),
  /** A run not finished after this long is presumed dead and a new one may start. */
  [ENV.reconcileLeaseMs]: int(60_000, 7 * 86_400_000).default(6 * 3_600_000),
  /** A run whose cursors have not moved for this long (its chain dead-lettered) may be taken over. */
  [ENV.reconcileStallMs]: int(60_000, 7 * 86_400_000).default(30 * 60_000),
  /** `backgroundShare` of the single environment of JAMA_SYNC_URL. */
  [ENV.backgroundShare]: decimal.pipe(z.number().gt(0).max(1)).default(1),
});

/** Everything the worker needs, read once per container. */
export interface Config {
  environments: readonly JamaEnvironmentConfig[];
  stateTable: string;
  mirrorTable?: string | undefined;
  jobsQueueUrl: string;
  deadLetterQueueUrl: string;
  forward?: { url: string; secret?: string | undefined; secretArn?: string | undefined } | undefined;
  /** EventBridge bus for change events (docs/events.md); absent: no events. */
  eventBus?: string | undefined;
  maxFailures: number;
  backoffCapSeconds: number;
  /** @default 900 (15 min, a realistic Jama maintenance window) */
  outageBudgetSeconds: number;
  limiterMaxWaitMs: number;
  /** @default 11 */
  limiterMaxLatenessMs: number;
  softDeadlineMs: number;
  /** Queue of reconciliation jobs. @default jobsQueueUrl */
  reconcileQueueUrl: string;
  /** @default 120000 */
  reconcileOverlapMs: number;
  /** @default 21600000 (6 h) */
  reconcileLeaseMs: number;
  /** @default 1800000 (30 min) */
  reconcileStallMs: number;
}

/** `"20, 21"` → `[20, 21]` (the text is validated by the schema). */
function projectIds(list = ''): number[] {
  return list
    .split(',')
    .filter((id) => id.trim())
    .map(Number);
}

function issues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => `${prefix}${i.path.join('.') || '(value)'}: ${i.message}`);
}

/**
 * The one place that reads configuration. Returns a frozen, typed object or throws one
 * {@link ConfigError} listing every missing or invalid key.
 *
 * Jama environments come from `JAMA_SYNC_ENVIRONMENTS` (a JSON array of
 * `{name, url, rateLimit?, secretArn | clientId+clientSecret | username+password}`), or for a single
 * environment from `JAMA_SYNC_URL`, `JAMA_SYNC_CLIENT_ID`, `JAMA_SYNC_CLIENT_SECRET` (named by `JAMA_SYNC_ENVIRONMENT_NAME`).
 *
 * @example
 * const config = loadConfig(); // in a handler module, once per container
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : issues(parsed.error);
  const environments: JamaEnvironmentConfig[] = [];

  let raw: unknown[] = [];
  const listed = env[ENV.environments];
  if (listed) {
    try {
      const json = JSON.parse(listed);
      if (Array.isArray(json)) raw = json;
      else problems.push('JAMA_SYNC_ENVIRONMENTS: expected a JSON array');
    } catch {
      problems.push('JAMA_SYNC_ENVIRONMENTS: not valid JSON');
    }
  } else if (env[ENV.url]) {
    raw = [
      {
        name: env[ENV.environmentName] ?? 'default',
        url: env[ENV.url],
        rateLimit: parsed.success ? parsed.data[ENV.rateLimit] : 10,
        clientId: env[ENV.clientId],
        clientSecret: env[ENV.clientSecret],
        username: env[ENV.username],
        password: env[ENV.password],
        projects: parsed.success ? projectIds(parsed.data[ENV.projects]) : [],
        backgroundShare: parsed.success ? parsed.data[ENV.backgroundShare] : 1,
      },
    ];
  } else {
    problems.push('JAMA_SYNC_ENVIRONMENTS or JAMA_SYNC_URL: no Jama environment configured');
  }
  raw.forEach((item, i) => {
    const result = environmentSchema.safeParse(item);
    if (result.success) environments.push(result.data);
    else problems.push(...issues(result.error, `JAMA_SYNC_ENVIRONMENTS[${i}].`));
  });
  const names = environments.map((e) => e.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`JAMA_SYNC_ENVIRONMENTS: environment \`${dup}\` is listed twice`);
  const d = parsed.success ? parsed.data : undefined;
  if (env[ENV.projects] && env[ENV.environments]) {
    problems.push(
      'JAMA_SYNC_PROJECTS: only with JAMA_SYNC_URL; give `projects` in each JAMA_SYNC_ENVIRONMENTS entry',
    );
  }
  if (d?.[ENV.forwardUrl] && !d[ENV.forwardSecret] && !d[ENV.forwardSecretArn]) {
    problems.push(
      'JAMA_SYNC_FORWARD_SECRET or JAMA_SYNC_FORWARD_SECRET_ARN: required with JAMA_SYNC_FORWARD_URL (forwards are always signed)',
    );
  }
  if (d?.[ENV.eventBus] && !d[ENV.mirrorTable]) {
    problems.push(
      'JAMA_SYNC_EVENT_BUS: needs JAMA_SYNC_MIRROR_TABLE (events say what changed by comparing with the mirror)',
    );
  }
  if (problems.length > 0 || !d) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  const forwardUrl = d[ENV.forwardUrl];
  return Object.freeze({
    environments: Object.freeze(environments),
    stateTable: d[ENV.stateTable],
    mirrorTable: d[ENV.mirrorTable] || undefined,
    jobsQueueUrl: d[ENV.jobsQueueUrl],
    deadLetterQueueUrl: d[ENV.deadLetterQueueUrl],
    forward: forwardUrl
      ? {
          url: forwardUrl,
          secret: d[ENV.forwardSecret] || undefined,
          secretArn: d[ENV.forwardSecretArn] || undefined,
        }
      : undefined,
    eventBus: d[ENV.eventBus] || undefined,
    maxFailures: d[ENV.maxFailures],
    backoffCapSeconds: d[ENV.backoffCapSeconds],
    outageBudgetSeconds: d[ENV.outageBudgetSeconds],
    limiterMaxWaitMs: d[ENV.limiterMaxWaitMs],
    limiterMaxLatenessMs: d[ENV.limiterMaxLatenessMs],
    softDeadlineMs: d[ENV.softDeadlineMs],
    reconcileQueueUrl: d[ENV.reconcileQueueUrl] ?? d[ENV.jobsQueueUrl],
    reconcileOverlapMs: d[ENV.reconcileOverlapMs],
    reconcileLeaseMs: d[ENV.reconcileLeaseMs],
    reconcileStallMs: d[ENV.reconcileStallMs],
  });
}

/** What {@link toEnvironment} writes: any part of a {@link Config}; environments as written by hand or parsed. */
export type ConfigVariables = { [K in Exclude<keyof Config, 'environments'>]?: Config[K] | undefined } & {
  environments?: readonly z.input<typeof environmentSchema>[] | undefined;
};

/** Serialises the JSON-valued variables; the stack passes `Stack.toJsonString` (its values hold tokens). */
export type JsonWriter = (value: unknown) => string;

/**
 * The environment variables that {@link loadConfig} reads back as `config`: `loadConfig(toEnvironment(c))`
 * equals `c`. Only the parts given are written (the stack gives each function its own), and a
 * secret travels only as given: the stack gives ARNs, never values.
 */
export function toEnvironment(
  config: ConfigVariables,
  json: JsonWriter = JSON.stringify,
): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, value: string | number | undefined) => {
    if (value !== undefined) out[name] = String(value);
  };
  if (config.environments) out[ENV.environments] = json(config.environments);
  put(ENV.stateTable, config.stateTable);
  put(ENV.mirrorTable, config.mirrorTable);
  put(ENV.jobsQueueUrl, config.jobsQueueUrl);
  put(ENV.deadLetterQueueUrl, config.deadLetterQueueUrl);
  put(ENV.forwardUrl, config.forward?.url);
  put(ENV.forwardSecret, config.forward?.secret);
  put(ENV.forwardSecretArn, config.forward?.secretArn);
  put(ENV.eventBus, config.eventBus);
  put(ENV.maxFailures, config.maxFailures);
  put(ENV.backoffCapSeconds, config.backoffCapSeconds);
  put(ENV.outageBudgetSeconds, config.outageBudgetSeconds);
  put(ENV.limiterMaxWaitMs, config.limiterMaxWaitMs);
  put(ENV.limiterMaxLatenessMs, config.limiterMaxLatenessMs);
  put(ENV.softDeadlineMs, config.softDeadlineMs);
  put(ENV.reconcileQueueUrl, config.reconcileQueueUrl);
  put(ENV.reconcileOverlapMs, config.reconcileOverlapMs);
  put(ENV.reconcileLeaseMs, config.reconcileLeaseMs);
  put(ENV.reconcileStallMs, config.reconcileStallMs);
  return out;
}

const webhookEnvSchema = z.object({
  /** JSON array of `{name, env, secret | secretArn, mapping?}`; see docs/webhooks.md. */
  [WEBHOOK_ENV.sources]: z.string().min(1),
  [ENV.stateTable]: z.string().min(1),
  [ENV.jobsQueueUrl]: z.url(),
  /** Seconds a pending-pull marker lives if no worker clears it. */
  [WEBHOOK_ENV.pendingTtlSeconds]: int(60, 86_400).default(900),
});

/** Everything the webhook function needs, read once per container. */
export interface WebhookConfig {
  sources: readonly WebhookSourceConfig[];
  stateTable: string;
  jobsQueueUrl: string;
  /** @default 900 */
  pendingTtlSeconds: number;
}

/**
 * The webhook function's configuration, read like {@link loadConfig}: a frozen object, or one
 * {@link ConfigError} listing every problem (JMESPath expressions are syntax-checked here).
 *
 * @example
 * const config = loadWebhookConfig(); // JAMA_SYNC_WEBHOOK_SOURCES='[{"name":"ci","env":"default","secret":"…"}]'
 */
export function loadWebhookConfig(
  env: Record<string, string | undefined> = process.env,
): Readonly<WebhookConfig> {
  const parsed = webhookEnvSchema.safeParse(env);
  const problems = parsed.success ? [] : issues(parsed.error);
  const sources: WebhookSourceConfig[] = [];
  let raw: unknown = [];
  try {
    raw = JSON.parse(env[WEBHOOK_ENV.sources] ?? '[]');
  } catch {
    raw = undefined;
    problems.push('JAMA_SYNC_WEBHOOK_SOURCES: not valid JSON');
  }
  if (Array.isArray(raw)) {
    if (env[WEBHOOK_ENV.sources] && raw.length === 0)
      problems.push('JAMA_SYNC_WEBHOOK_SOURCES: list at least one source');
    const known = jamaEnvironmentNames(env);
    raw.forEach((item, i) => {
      const result = webhookSourceSchema.safeParse(item);
      if (!result.success) {
        problems.push(...issues(result.error, `JAMA_SYNC_WEBHOOK_SOURCES[${i}].`));
        return;
      }
      // Without `env`, the only configured Jama environment; a name no worker knows would dead-letter every job.
      const sourceEnv = result.data.env ?? (known?.length === 1 ? known[0] : undefined);
      if (!sourceEnv)
        problems.push(
          `JAMA_SYNC_WEBHOOK_SOURCES[${i}].env: required unless exactly one Jama environment is configured`,
        );
      else if (known && !known.includes(sourceEnv))
        problems.push(
          `JAMA_SYNC_WEBHOOK_SOURCES[${i}].env: \`${sourceEnv}\` is not a configured Jama environment`,
        );
      else sources.push({ ...result.data, env: sourceEnv });
    });
  } else if (raw !== undefined) {
    problems.push('JAMA_SYNC_WEBHOOK_SOURCES: expected a JSON array');
  }
  const names = sources.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`JAMA_SYNC_WEBHOOK_SOURCES: source \`${dup}\` is listed twice`);
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(`Invalid webhook configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze({
    sources: Object.freeze(sources),
    stateTable: parsed.data[ENV.stateTable],
    jobsQueueUrl: parsed.data[ENV.jobsQueueUrl],
    pendingTtlSeconds: parsed.data[WEBHOOK_ENV.pendingTtlSeconds],
  });
}

/** What {@link toWebhookEnvironment} writes: any part of a {@link WebhookConfig}, sources as written by hand or parsed. */
export type WebhookConfigVariables = {
  [K in Exclude<keyof WebhookConfig, 'sources'>]?: WebhookConfig[K] | undefined;
} & { sources?: readonly object[] | undefined };

/** The webhook function's variables, read back by {@link loadWebhookConfig} (see {@link toEnvironment}). */
export function toWebhookEnvironment(
  config: WebhookConfigVariables,
  json: JsonWriter = JSON.stringify,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (config.sources) out[WEBHOOK_ENV.sources] = json(config.sources);
  if (config.stateTable !== undefined) out[ENV.stateTable] = config.stateTable;
  if (config.jobsQueueUrl !== undefined) out[ENV.jobsQueueUrl] = config.jobsQueueUrl;
  if (config.pendingTtlSeconds !== undefined)
    out[WEBHOOK_ENV.pendingTtlSeconds] = String(config.pendingTtlSeconds);
  return out;
}

/** Names of the configured Jama environments, when this process is told them. */
function jamaEnvironmentNames(env: Record<string, string | undefined>): string[] | undefined {
  const listed = env[ENV.environments];
  if (listed) {
    try {
      const list: unknown = JSON.parse(listed);
      return Array.isArray(list)
        ? list.map((e) => (e as { name?: unknown })?.name).filter((n) => typeof n === 'string')
        : undefined;
    } catch {
      return undefined;
    }
  }
  return env[ENV.url] ? [env[ENV.environmentName] ?? 'default'] : undefined;
}

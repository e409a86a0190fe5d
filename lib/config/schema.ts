import { z } from 'zod';
import { BACKGROUND_SHARE, RATE_LIMIT, resourceName } from '../../src/core/config-blocks';
import { mappingSchema } from '../../src/core/webhook/mapping';
import { RECONCILE } from '../../src/infra/resources';

/** Environment and webhook-source names: the same rule as src/config.ts applies at run time. */
const name = resourceName;

/** Only a complete ARN (with the 6-character suffix AWS adds) can be granted without a wildcard. */
const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    'give the complete secret ARN, ending in the 6-character suffix Secrets Manager adds ' +
      '(aws secretsmanager describe-secret --secret-id NAME --query ARN)',
  );

const httpsUrl = z.url({ protocol: /^https$/, error: 'give an https:// URL' });

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a number' })
    .int('expected a whole number')
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`);

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], {
  error: 'expected true or false',
});

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

/** EventBridge schedule expressions, checked here so a typo fails synthesis instead of the deploy. */
const schedule = z.string().superRefine((value, ctx) => {
  const rate = RATE.exec(value);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (n < 1) ctx.addIssue({ code: 'custom', message: 'the rate must be at least 1' });
    else if ((n === 1) !== !unit.endsWith('s'))
      ctx.addIssue({ code: 'custom', message: `write \`rate(${n} ${n === 1 ? 'minute' : 'minutes'})\`` });
    return;
  }
  const cron = /^cron\((.+)\)$/.exec(value);
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) {
    ctx.addIssue({
      code: 'custom',
      message: `expected \`rate(N minutes|hours|days)\` or \`cron(min hour day-of-month month day-of-week year)\`, got \`${value}\``,
    });
  } else if ((fields[2] === '?') === (fields[4] === '?')) {
    ctx.addIssue({
      code: 'custom',
      message: 'a cron expression needs `?` in exactly one of day-of-month and day-of-week',
    });
  }
});

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const environmentSchema = z.strictObject({
  name,
  url: httpsUrl,
  /** Calls per second this integration may make; Jama allows 10/s per environment, shared. @default 10 */
  rateLimit: z.coerce
    .number({ error: 'expected a number' })
    .positive('expected a number > 0')
    .max(RATE_LIMIT.max, `expected at most ${RATE_LIMIT.max}`)
    .default(RATE_LIMIT.default),
  /** Projects reconciliation scans. */
  projects: z.array(int(1, 2 ** 31 - 1)).min(1, 'list at least one Jama project id (e.g. 20,21)'),
  /**
   * Fraction of `rateLimit` reconciliation may use on its own, leaving headroom for other
   * integrations that fail on a 429 (docs/reconcile.md). @default 1
   */
  backgroundShare: z.coerce
    .number({ error: 'expected a number' })
    .gt(0, 'expected a number > 0')
    .max(BACKGROUND_SHARE.max, `expected at most ${BACKGROUND_SHARE.max}`)
    .default(BACKGROUND_SHARE.default),
  /** An existing secret with the credentials; otherwise the stack creates one to fill in. */
  secretArn: secretArn.optional(),
});

/** A webhook sender, reached at `POST <WebhookUrl>/webhooks/<name>` (see src/core/webhook/source.ts). */
export const webhookSourceSchema = z.strictObject({
  name,
  /** The Jama environment its events belong to. */
  env: name,
  /** An existing secret holding `{"secret": "…"}`; otherwise the stack generates one. */
  secretArn: secretArn.optional(),
  /** How to read the payload (JMESPath, checked here). @default 'native' */
  mapping: z.union([z.literal('native'), mappingSchema]).optional(),
});

/** The normalized shape of the CDK context (see from-context.ts), before derived values. */
export const configSchema = z
  .object({
    environments: z.array(environmentSchema).min(1),
    incrementalSchedule: schedule.default(RECONCILE.schedules.incremental.expression),
    fullSweepSchedule: schedule.default(RECONCILE.schedules.full.expression),
    mirror: bool.default(true),
    forwardUrl: httpsUrl.optional(),
    forwardSecretArn: secretArn.optional(),
    /** Change events (docs/events.md): `default`, `create` or an event bus ARN. @default none */
    eventBus: z
      .string()
      .regex(
        /^(default|create|arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256})$/,
        'expected `default`, `create` or an event bus ARN',
      )
      .optional(),
    /** @default one source per environment: `jama` (one environment) or `jama-<env>` */
    webhookSources: z.array(webhookSourceSchema).optional(),
    webhookReservedConcurrency: int(1, 1000).default(5),
    batchSize: int(1, 10_000).default(50),
    batchingWindowSeconds: int(0, 300).default(1),
    maxConcurrency: int(2, 1000).optional(),
    jamaP95LatencyMs: int(1, 60_000).default(300),
    maxFailures: int(1, 100).default(5),
    backoffCapSeconds: int(3, 900).default(300),
    limiterMaxWaitMs: int(0, 60_000).default(2000),
    softDeadlineMs: int(0, 600_000).default(10_000),
    alarmEmail: z.email('give an email address').optional(),
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'give an SNS topic ARN')
      .optional(),
    oldestMessageAgeAlarmSeconds: int(60, 14 * 24 * 3600).default(900),
    throttleShareAlarmPercent: z.coerce
      .number({ error: 'expected a number' })
      .gt(0, 'expected a percentage > 0')
      .max(100, 'expected a percentage ≤ 100')
      .default(5),
    deletionProtection: bool.default(true),
    tracing: bool.default(false),
    logLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']).default('INFO'),
    logRetentionDays: z.coerce
      .number()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const dup = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);
    const env = dup(c.environments.map((e) => e.name));
    if (env) issue('environments', `environment \`${env}\` is listed twice`);
    const sources = c.webhookSources ?? [];
    const source = dup(sources.map((s) => s.name));
    if (source) issue('webhookSources', `webhook source \`${source}\` is listed twice`);
    const known = c.environments.map((e) => e.name);
    sources.forEach((s, i) => {
      if (!known.includes(s.env))
        ctx.addIssue({
          code: 'custom',
          path: ['webhookSources', i, 'env'],
          message: `unknown environment \`${s.env}\`; configured: ${known.join(', ')}`,
        });
    });
    if (!c.mirror && !c.forwardUrl)
      issue('mirror', 'no sink left: keep the mirror (mirror=true) or give forwardUrl, or both');
    if (c.forwardSecretArn && !c.forwardUrl) issue('forwardSecretArn', 'only meaningful with forwardUrl');
    if (c.eventBus && !c.mirror)
      issue(
        'eventBus',
        'change events need the mirror (mirror=true): they compare each write with its previous row',
      );
    if (c.batchSize > 10 && c.batchingWindowSeconds < 1)
      issue('batchingWindowSeconds', 'SQS requires a batching window of at least 1 s when batchSize > 10');
    if (c.alarmEmail && c.alarmTopicArn)
      issue('alarmTopicArn', 'give alarmEmail (the stack creates a topic) or alarmTopicArn, not both');
  });

export type ConfigInput = z.input<typeof configSchema>;

import { didYouMean } from '../../src/core/did-you-mean';
import type { ConfigInput } from './schema';
import { configError, type JamaSyncConfig, parseConfig } from './stack-config';

/** Context keys that describe one environment when `environments` is not given. */
const SINGLE_ENV_KEYS = {
  environmentName: 'name',
  jamaUrl: 'url',
  rateLimit: 'rateLimit',
  backgroundShare: 'backgroundShare',
  projects: 'projects',
  jamaSecretArn: 'secretArn',
} as const;

/** Every other context key, passed to the schema as is (strings are coerced there). */
const PLAIN_KEYS = [
  'incrementalSchedule',
  'fullSweepSchedule',
  'mirror',
  'forwardUrl',
  'forwardSecretArn',
  'eventBus',
  'webhookReservedConcurrency',
  'batchSize',
  'batchingWindowSeconds',
  'maxConcurrency',
  'jamaP95LatencyMs',
  'maxFailures',
  'backoffCapSeconds',
  'limiterMaxWaitMs',
  'softDeadlineMs',
  'alarmEmail',
  'alarmTopicArn',
  'oldestMessageAgeAlarmSeconds',
  'throttleShareAlarmPercent',
  'deletionProtection',
  'tracing',
  'logLevel',
  'logRetentionDays',
] as const;

/** All context keys jama-sync reads (`stackName` in bin/app.ts). */
const CONTEXT_KEYS = [
  'environments',
  'webhookSources',
  'stackName',
  'allowHighRate',
  ...Object.keys(SINGLE_ENV_KEYS),
  ...PLAIN_KEYS,
] as const;

/** Jama's documented limit per environment; more needs `-c allowHighRate=true`. */
export const JAMA_DOCUMENTED_LIMIT = 10;

/**
 * Context keys nobody reads, most often typos (`-c alarmEmial=…`): one warning each, with the
 * closest known key. CDK's own keys (`@aws-cdk/…`, `aws:cdk:…`) are not ours to judge.
 */
export function unknownContextKeys(keys: readonly string[]): string[] {
  const known: readonly string[] = CONTEXT_KEYS;
  return keys
    .filter((k) => !k.startsWith('@') && !k.includes(':') && !known.includes(k))
    .map((k) => {
      const guess = didYouMean(k, known);
      return `Unknown CDK context key \`${k}\` ignored${guess ? `: did you mean \`${guess}\`?` : ''} (docs/deploy.md lists the keys)`;
    });
}

const CREDENTIAL_KEYS = ['clientId', 'clientSecret', 'username', 'password', 'secret'];

type Problems = string[];

/** `-c key=[…]` arrives as a string; cdk.json and tests may give the value itself. */
function json(key: string, value: unknown, problems: Problems): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    problems.push(`${key}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** `20,21`, `[20,21]` or an array. Non-numbers stay as they are so the schema names them. */
function list(key: string, value: unknown, problems: Problems): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim().startsWith('[')) return json(key, value, problems);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function withoutCredentials(key: string, value: unknown, problems: Problems): unknown {
  if (!Array.isArray(value)) return value;
  value.forEach((entry, i) => {
    const found = CREDENTIAL_KEYS.filter((k) => typeof entry === 'object' && entry !== null && k in entry);
    if (found.length > 0) {
      problems.push(
        `${key}.${i}: remove ${found.join(', ')}: credentials never go in CDK context (they would be ` +
          'written to the template); put them in the secret instead (see docs/deploy.md)',
      );
    }
  });
  return value;
}

function environmentsFrom(get: (key: string) => unknown, problems: Problems): unknown {
  const given = get('environments');
  const shortcut = Object.keys(SINGLE_ENV_KEYS).filter((k) => get(k) !== undefined);
  if (given !== undefined) {
    if (shortcut.length > 0) {
      problems.push(
        `${shortcut.join(', ')}: give these inside each entry of \`environments\`, not next to it`,
      );
    }
    const parsed = json('environments', given, problems);
    if (parsed !== undefined && !Array.isArray(parsed)) problems.push('environments: expected a JSON array');
    if (!Array.isArray(parsed)) return [];
    const envs = parsed.map((e: unknown) =>
      typeof e === 'object' && e !== null && 'projects' in e
        ? { ...e, projects: list('environments.projects', e.projects, problems) }
        : e,
    );
    return withoutCredentials('environments', envs, problems);
  }
  if (get('jamaUrl') === undefined) {
    problems.push(
      'jamaUrl: no Jama environment configured; give -c jamaUrl=https://example.jamacloud.com ' +
        '-c projects=20,21, or -c environments=\'[{"name":"prod","url":…,"projects":[20]}]\'',
    );
    return [];
  }
  const env: Record<string, unknown> = { name: 'default' };
  for (const [key, field] of Object.entries(SINGLE_ENV_KEYS)) {
    const value = get(key);
    if (value !== undefined) env[field] = field === 'projects' ? list(key, value, problems) : value;
  }
  env.projects ??= [];
  return [env];
}

/** `jama,jira` (names, for a single environment), or JSON `[{"name","env","secretArn"?,"mapping"?}]`. */
function webhookSourcesFrom(value: unknown, environments: unknown, problems: Problems): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && !value.trim().startsWith('[')) {
    const envs = Array.isArray(environments) ? environments : [];
    const only = envs.length === 1 ? ((envs[0] as { name?: unknown }).name ?? 'default') : undefined;
    if (only === undefined && value.trim() !== '') {
      problems.push(
        "webhookSources: with several environments, give JSON naming each source's env: " +
          '[{"name":"jama-prod","env":"prod"}]',
      );
      return undefined;
    }
    const names = value
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    return names.map((name) => ({ name, env: only }));
  }
  return withoutCredentials('webhookSources', json('webhookSources', value, problems), problems);
}

/**
 * Reads jama-sync's configuration from CDK context (`cdk deploy -c jamaUrl=… -c projects=20,21`,
 * or `cdk.json`), validates it, and returns typed stack props. Throws one error listing every
 * problem, so `cdk synth` fails before anything is deployed.
 *
 * @example
 * const config = configFromContext((key) => app.node.tryGetContext(key));
 */
export function configFromContext(get: (key: string) => unknown): Readonly<JamaSyncConfig> {
  const problems: Problems = [];
  const environments = environmentsFrom(get, problems);
  const input: Record<string, unknown> = {
    environments,
    webhookSources: webhookSourcesFrom(get('webhookSources'), environments, problems),
  };
  for (const key of PLAIN_KEYS) input[key] = get(key);
  if (problems.length > 0) throw configError(problems);
  const shortcut = get('environments') === undefined;
  const fields = Object.entries(SINGLE_ENV_KEYS);
  const config = parseConfig(input as ConfigInput, (path) => {
    const match = /^environments\.0\.(\w+)(.*)$/.exec(path);
    if (!shortcut || !match) return path;
    const key = fields.find(([, field]) => field === match[1])?.[0];
    return key ? `${key}${match[2]}` : path;
  });
  const high = config.environments.filter((e) => e.rateLimit > JAMA_DOCUMENTED_LIMIT);
  const allowed = [true, 'true'].includes(get('allowHighRate') as string | boolean);
  if (high.length && !allowed) {
    throw configError(
      high.map(
        (e) =>
          `${shortcut ? 'rateLimit' : `environments (${e.name}).rateLimit`}: ${e.rateLimit} is above Jama's limit of ` +
          `${JAMA_DOCUMENTED_LIMIT} calls/s, which every integration of an environment shares; above it Jama answers 429. ` +
          'If your Jama really allows more, add -c allowHighRate=true',
      ),
    );
  }
  return config;
}

/** Warnings for a configuration that is accepted but unusual (bin/app.ts prints them). */
export function contextWarnings(config: Readonly<JamaSyncConfig>): string[] {
  return config.environments
    .filter((e) => e.rateLimit > JAMA_DOCUMENTED_LIMIT)
    .map(
      (e) =>
        `Environment ${e.name}: rateLimit ${e.rateLimit} is above Jama's usual ${JAMA_DOCUMENTED_LIMIT} calls/s (allowHighRate=true).`,
    );
}

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors';
import type { SecretResolver } from '../core/ports/secret-store';

/** The one call the resolver makes; a `SecretsManagerClient` or a test fake. */
export interface SecretsManagerLike {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

export interface SecretsManagerResolverOptions {
  /** @default a `SecretsManagerClient` from the SDK's default chain, built on first use */
  client?: SecretsManagerLike;
  /** How long a fetched value is reused before it is fetched again. @default 300000 (5 minutes) */
  ttlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** AWS errors that retrying cannot fix; they become a {@link ConfigError} naming the secret. */
const PERMANENT: Record<string, string> = {
  ResourceNotFoundException: 'does not exist (check the ARN in the stack configuration)',
  AccessDeniedException: 'is not readable by this function (check its IAM role)',
  DecryptionFailure: 'cannot be decrypted with its KMS key',
};

function parse(arn: string, text: string | undefined): Record<string, string> {
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // Never quote the value: it is a secret.
    throw new ConfigError(
      `Secret ${arn} must hold a JSON object such as {"clientId":"…","clientSecret":"…"} or {"secret":"…"}`,
    );
  }
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * Why not Powertools Parameters (`getSecret` with `maxAge` and `transform: 'json'`): its cache
 * reads `Date.now()` and cannot take the injected clock every time-based part of jama-sync takes
 * (the TTL is tested without waiting), concurrent first reads of one secret each go to Secrets
 * Manager, and its errors would still need mapping to a {@link ConfigError} with the remedy. This
 * resolver is the one on the project's secret port ({@link SecretResolver}); every function uses it.
 *
 * A {@link SecretResolver} on AWS Secrets Manager: reads a JSON secret by ARN and keeps its string
 * fields for `ttlMs`. Concurrent reads of one secret share one request; a failed read is not
 * cached, so the next call tries again.
 *
 * @example
 * const deps = await buildWorkerDeps(loadConfig(), { resolveSecret: secretsManagerResolver() });
 */
export function secretsManagerResolver(options: SecretsManagerResolverOptions = {}): SecretResolver {
  const ttlMs = options.ttlMs ?? 300_000;
  const now = options.now ?? Date.now;
  let client = options.client;
  const cache = new Map<string, { fetchedAt: number; value: Promise<Record<string, string>> }>();

  const fetch = async (arn: string): Promise<Record<string, string>> => {
    client ??= new SecretsManagerClient({});
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
      return parse(arn, out.SecretString);
    } catch (error) {
      const reason = PERMANENT[(error as Error).name];
      if (reason) throw new ConfigError(`Secret ${arn} ${reason}`);
      throw error;
    }
  };

  return (arn) => {
    const cached = cache.get(arn);
    if (cached && now() - cached.fetchedAt < ttlMs) return cached.value;
    const value = fetch(arn);
    cache.set(arn, { fetchedAt: now(), value });
    value.catch(() => {
      if (cache.get(arn)?.value === value) cache.delete(arn);
    });
    return value;
  };
}

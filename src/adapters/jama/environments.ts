import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config, JamaEnvironmentConfig } from '../../config';
import { CircuitBreaker } from '../../core/circuit-breaker';
import { systemClock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import type { SecretResolver } from '../../core/ports/secret-store';
import type { BuildOptions } from '../clients';
import { readSecret } from '../clients';
import { DynamoDbBreakerStore } from '../dynamodb-breaker';
import { DynamoDbRateLimiter } from '../dynamodb-limiter/limiter';
import { JamaClient } from './jama-client';
import type { JamaCredentials } from './options';

/** One configured Jama environment: its client and the shared limiter the client calls through. */
export interface JamaEnvironment {
  name: string;
  client: JamaClient;
  limiter: DynamoDbRateLimiter;
}

async function credentialsOf(
  env: JamaEnvironmentConfig,
  resolve: SecretResolver | undefined,
): Promise<JamaCredentials> {
  let source: { [K in 'clientId' | 'clientSecret' | 'username' | 'password']?: string | undefined } = env;
  if (env.secretArn) source = await readSecret(env.secretArn, resolve, `Environment \`${env.name}\``);
  if (source.clientId && source.clientSecret) {
    return { type: 'oauth', clientId: source.clientId, clientSecret: source.clientSecret };
  }
  if (source.username && source.password)
    return { type: 'basic', username: source.username, password: source.password };
  throw new ConfigError(
    `Environment \`${env.name}\`: its credentials need clientId and clientSecret (or username and password)`,
  );
}

/** Each configured environment's Jama client and the shared limiter it calls through. */
export async function buildEnvironments(
  config: Readonly<Config>,
  dynamodb: DynamoDBClient,
  options: Pick<BuildOptions, 'clock' | 'resolveSecret'> = {},
): Promise<JamaEnvironment[]> {
  const clock = options.clock ?? systemClock;
  const environments: JamaEnvironment[] = [];
  const breakers = new DynamoDbBreakerStore(dynamodb, config.stateTable);
  for (const env of config.environments) {
    const limiter = new DynamoDbRateLimiter({
      client: dynamodb,
      tableName: config.stateTable,
      environment: env.name,
      clock,
      limit: env.rateLimit,
      maxWaitMs: config.limiterMaxWaitMs,
      maxLatenessMs: config.limiterMaxLatenessMs,
      backgroundShare: env.backgroundShare,
    });
    const credentials = await credentialsOf(env, options.resolveSecret);
    // One breaker per environment, shared through the state table: while Jama is down everyone waits.
    const breaker = new CircuitBreaker({ store: breakers, env: env.name, clock });
    environments.push({
      name: env.name,
      // The reference resolver caches reference data (shared in the state table), not the client.
      client: new JamaClient({
        url: env.url,
        credentials,
        limiter,
        clock,
        referenceDataTtlMs: 0,
        environment: env.name,
        breaker,
      }),
      limiter,
    });
  }
  return environments;
}

/** A function's Jama clients by environment name, and how to close them all (tests, the local runtime). */
export interface JamaClients {
  jamaClients: Map<string, JamaClient>;
  close(): Promise<void>;
}

/** The {@link JamaClients} of built environments. */
export function jamaClientsOf(environments: readonly JamaEnvironment[]): JamaClients {
  const jamaClients = new Map(environments.map((e) => [e.name, e.client]));
  return {
    jamaClients,
    async close() {
      await Promise.all([...jamaClients.values()].map((c) => c.close()));
    },
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Clock, systemClock } from '../core/clock';
import { ConfigError } from '../core/errors';
import type { SecretResolver } from '../core/ports/secret-store';

/** What every function's composition root (`functions/<name>/build-deps.ts`) may be given. */
export interface BuildOptions {
  clock?: Clock | undefined;
  /** Pre-built clients (local runtime, tests); otherwise built from the SDK's default chain. */
  dynamodb?: DynamoDBClient | undefined;
  sqs?: SQSClient | undefined;
  /** Resolves `secretArn`s (Secrets Manager in AWS); without it, a configured `secretArn` is an error. */
  resolveSecret?: SecretResolver | undefined;
}

/** The clock and the AWS clients shared by one container's adapters. */
export interface Clients {
  clock: Clock;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
}

/** The clients given in `options`, the others built once from the SDK's default chain. */
export function clientsOf(options: BuildOptions): Clients {
  return {
    clock: options.clock ?? systemClock,
    dynamodb: options.dynamodb ?? new DynamoDBClient({}),
    sqs: options.sqs ?? new SQSClient({}),
  };
}

/** Reads the secret `arn` names; `what` says who named it when no secret store is configured. */
export async function readSecret(
  arn: string,
  resolve: SecretResolver | undefined,
  what: string,
): Promise<Record<string, string>> {
  if (!resolve) throw new ConfigError(`${what} names a secret but no secret store is configured`);
  return resolve(arn);
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { type LimiterOptions, SEND_JITTER_MS } from '../../core/limiter/config';
import type { LimiterWaitError } from '../../core/ports/rate-limiter';

export interface DynamoDbRateLimiterOptions extends LimiterOptions {
  /** A low-level client (not the document client); build it once per container. */
  client: DynamoDBClient;
  /** The `state` table (partition key `pk`, string). */
  tableName: string;
  /** Id of the Jama environment; every limiter given the same id shares one item, `limiter#<id>`. */
  environment: string;
  /** @default systemClock */
  clock?: Clock;
  /** Conditional writes tried per acquire or 429 before giving up with {@link LimiterWaitError}. @default 10 */
  maxAttempts?: number;
  /**
   * An acquire that resolves later than this after its slot (a cold connection, a stalled event
   * loop) forfeits the slot and reserves another, so no call goes out closer to the next one than
   * the ceiling's margin allows. @default SEND_JITTER_MS (11)
   */
  maxLatenessMs?: number;
}

/** Counts for benchmarks and metrics. DynamoDB calls per acquire = (writes + reads) / acquires. */
export interface DynamoDbLimiterStats {
  acquires: number;
  refusals: number;
  throttles: number;
  writes: number;
  reads: number;
  conflicts: number;
  /** Slots given up because the acquire resolved more than `maxLatenessMs` after them. */
  forfeits: number;
}

/** Checks the adapter's own options (the limiter's are checked by `resolveLimiterConfig`). */
export function validateAdapterOptions(options: DynamoDbRateLimiterOptions) {
  if (typeof options.client?.send !== 'function') {
    throw new ConfigError(`Expected \`client\` to be a DynamoDBClient, got \`${String(options.client)}\``);
  }
  for (const name of ['tableName', 'environment'] as const) {
    const value: unknown = options[name];
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`Expected \`${name}\` to be a non-empty string, got \`${String(value)}\``);
    }
  }
  const maxAttempts = options.maxAttempts ?? 10;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new ConfigError(`Expected \`maxAttempts\` to be an integer ≥ 1, got \`${maxAttempts}\``);
  }
  const maxLatenessMs = options.maxLatenessMs ?? SEND_JITTER_MS;
  if (!(Number.isFinite(maxLatenessMs) && maxLatenessMs >= 0)) {
    throw new ConfigError(`Expected \`maxLatenessMs\` to be a number ≥ 0, got \`${maxLatenessMs}\``);
  }
  return { maxAttempts, maxLatenessMs };
}

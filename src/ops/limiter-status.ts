import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { limiterKey } from '../adapters/dynamodb-limiter/item';
import type { Deployment } from './deployment';
import { aws } from './errors';

/** One environment's limiter as stored (src/adapters/dynamodb-limiter/item.ts). */
export interface LimiterStatus {
  env: string;
  /** False when no Jama call has been made in this environment yet. */
  used: boolean;
  /** Calls/s allowed now, and the ceiling. */
  rate?: number;
  ceiling?: number;
  /** Milliseconds until the next free slot (0: free now). */
  nextSlotInMs?: number;
  /** Milliseconds the limiter still holds everyone after a 429. */
  holdMs?: number;
  lastThrottleAt?: number;
}

const numberOf = (item: Record<string, { N?: string }>, name: string) => {
  const raw = item[name]?.N;
  return raw === undefined ? undefined : Number(raw);
};

/** Reads each environment's limiter item (a consistent read; the limiter is not disturbed). */
export async function limiterStatus(d: Deployment, now = Date.now()): Promise<LimiterStatus[]> {
  return Promise.all(
    d.environments.map(async (env) => {
      const out = await aws(`read the limiter of ${env}`, () =>
        d.dynamodb.send(
          new GetItemCommand({ TableName: d.tables.state, Key: limiterKey(env), ConsistentRead: true }),
        ),
      );
      const item = out.Item as Record<string, { N?: string }> | undefined;
      if (!item) return { env, used: false };
      const tat = numberOf(item, 'tat');
      const hold = numberOf(item, 'holdUntil');
      const last = numberOf(item, 'lastThrottleAt');
      const rate = numberOf(item, 'rate');
      const ceiling = numberOf(item, 'ceiling');
      return {
        env,
        used: true,
        ...(rate === undefined ? {} : { rate }),
        ...(ceiling === undefined ? {} : { ceiling }),
        ...(tat === undefined ? {} : { nextSlotInMs: Math.max(0, Math.ceil(tat - now)) }),
        ...(hold !== undefined && hold > now ? { holdMs: Math.ceil(hold - now) } : {}),
        ...(last === undefined ? {} : { lastThrottleAt: last }),
      };
    }),
  );
}

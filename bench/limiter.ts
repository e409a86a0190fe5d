/**
 * Benchmark of the shared DynamoDB rate limiter: N workers, each its own limiter instance and
 * DynamoDB client (as N Lambdas would be), acquire slots of one Jama environment for D seconds on
 * embedded dynalite. Prints a table and a JSON summary.
 *
 *   npx tsx bench/limiter.ts [--workers 8] [--seconds 20] [--limit 10] [--ceiling 9] [--work-ms 0] [--json]
 *
 * `--work-ms` stands for the Jama call each worker makes after acquiring; with few workers and
 * long calls the limiter is under-loaded and most acquires find the next slot already free.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbRateLimiter } from '../src/adapters/dynamodb-limiter/limiter';
import { resolveLimiterConfig } from '../src/core/limiter/config';
import { LimiterWaitError } from '../src/core/ports/rate-limiter';
import { clientConfig, startEmbeddedAws } from '../src/local/embedded-aws';
import { provisionLocal } from '../src/local/provision';
import { maxInAnyWindow } from '../src/simulator/rate-window';
import { numberOption, runBench } from './run';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string' },
      seconds: { type: 'string' },
      limit: { type: 'string' },
      ceiling: { type: 'string' },
      'work-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const workers = numberOption('workers', values.workers, 8, { integer: true, min: 1 });
  const seconds = numberOption('seconds', values.seconds, 20, { min: 1 });
  const limit = numberOption('limit', values.limit, 10, { min: 1 });
  const ceiling = values.ceiling === undefined ? undefined : numberOption('ceiling', values.ceiling, limit);
  // The limiter's own checks (ceiling in (0, limit]), before anything starts.
  resolveLimiterConfig({ limit, ...(ceiling === undefined ? {} : { ceiling }) });
  const workMs = numberOption('work-ms', values['work-ms'], 0, { min: 0 });

  const aws = await startEmbeddedAws();
  const admin = {
    dynamodb: new DynamoDBClient(clientConfig(aws, 'dynamodb')),
    sqs: new SQSClient(clientConfig(aws, 'sqs')),
  };
  const { tables } = await provisionLocal(admin, 'bench');
  const clients = Array.from({ length: workers }, () => new DynamoDBClient(clientConfig(aws, 'dynamodb')));
  const limiters = clients.map(
    (client) =>
      new DynamoDbRateLimiter({
        client,
        tableName: tables.state,
        environment: 'bench',
        limit,
        ...(ceiling === undefined ? {} : { ceiling }),
      }),
  );

  const acquired: number[] = [];
  const lateness: number[] = [];
  const latency: number[] = [];
  const started = Date.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    limiters.map(async (limiter) => {
      while (Date.now() < deadline) {
        const asked = Date.now();
        try {
          const slot = await limiter.acquireSlot();
          latency.push(slot.acquiredAt - asked);
          lateness.push(slot.acquiredAt - slot.slotAt);
          acquired.push(slot.acquiredAt);
          if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
        } catch (error) {
          if (!(error instanceof LimiterWaitError)) throw error;
          // As the worker does: hand the job back for retryAfterMs (to SQS), not a busy retry.
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
        }
      }
    }),
  );
  const elapsedMs = Math.max(...acquired) - Math.min(...acquired);
  const total = (key: 'acquires' | 'writes' | 'reads' | 'conflicts' | 'refusals' | 'forfeits') =>
    limiters.reduce((n, l) => n + l.stats[key], 0);
  const sorted = [...acquired].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] ?? t));
  const config = limiters[0]?.config;
  const result = {
    workers,
    seconds,
    workMs,
    limit,
    ceiling: config?.ceiling,
    acquires: total('acquires'),
    callsPerSecond: Math.round(((acquired.length - 1) * 100_000) / elapsedMs) / 100,
    ofCeiling: Math.round(((acquired.length - 1) * 1000 * 1000) / elapsedMs / (config?.ceiling ?? 1)) / 10,
    maxInAnySecond: maxInAnyWindow(acquired),
    writesPerAcquire: Math.round((total('writes') / total('acquires')) * 1000) / 1000,
    readsPerAcquire: Math.round((total('reads') / total('acquires')) * 1000) / 1000,
    conflicts: total('conflicts'),
    refusals: total('refusals'),
    forfeits: total('forfeits'),
    acquireLatencyMs: summary(latency),
    latenessMs: summary(lateness),
    minGapMs: Math.round(Math.min(...gaps) * 100) / 100,
    nominalGapMs: config ? Math.round(100_000 / config.ceiling) / 100 : undefined,
  };

  if (!values.json) {
    const rows: [string, string][] = [
      ['workers × seconds, work', `${workers} × ${seconds} s, ${workMs} ms per call`],
      [
        'achieved calls/s',
        `${result.callsPerSecond} (limit ${limit}, ceiling ${result.ceiling}, ${result.ofCeiling}% of it)`,
      ],
      ['max calls in any 1 s', String(result.maxInAnySecond)],
      ['DynamoDB writes/acquire', String(result.writesPerAcquire)],
      ['DynamoDB reads/acquire', String(result.readsPerAcquire)],
      ['conflicts / refusals / forfeits', `${result.conflicts} / ${result.refusals} / ${result.forfeits}`],
      ['acquire latency p50/p99/max', fmt(result.acquireLatencyMs)],
      ['send lateness vs slot p50/p99/max', fmt(result.latenessMs)],
      ['min gap between calls', `${result.minGapMs} ms (nominal ${result.nominalGapMs} ms)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);

  for (const client of clients) client.destroy();
  admin.dynamodb.destroy();
  admin.sqs.destroy();
  await aws.stop();
}

function fmt(s: { p50: number; p99: number; max: number }): string {
  return `${s.p50} / ${s.p99} / ${s.max} ms`;
}

runBench(
  'bench:limiter',
  main,
  `Usage: npm run bench:limiter [-- --workers 8] [--seconds 20] [--limit 10] [--ceiling 9] [--work-ms 0] [--json]

  --workers N     limiter instances (as N Lambdas), each with its own DynamoDB client (default 8)
  --seconds N     how long they acquire (default 20)
  --limit N       Jama's limit the window is checked against (default 10)
  --ceiling N     the limiter's ceiling (default: derived from the limit)
  --work-ms N     the Jama call each worker makes after acquiring (default 0)
  --json          a JSON summary instead of the table`,
);

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDbRateLimiter } from '../../../src/adapters/dynamodb-limiter/limiter';
import { JamaClient } from '../../../src/adapters/jama/jama-client';
import { JamaRateLimitedError } from '../../../src/core/jama-errors';
import type { LimiterState } from '../../../src/core/limiter/gcra';
import { LimiterWaitError } from '../../../src/core/ports/rate-limiter';
import { maxInAnyWindow } from '../../../src/simulator/rate-window';
import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { type TestAws, testAws } from '../../support/aws';

/**
 * Issue 3 end to end: every Jama call of every worker goes through the JamaClient and one shared
 * DynamoDbRateLimiter item per Jama environment (embedded DynamoDB), and the limit is judged where
 * Jama judges it — at the simulator, from the arrival time of each call it answered.
 */

const OAUTH = { type: 'oauth', clientId: 'jama-sync', clientSecret: 'jama-sync-secret' } as const;
const LATENCY = { fixed: 20, jitter: 20 };
const LIMIT = 10;

let aws: TestAws;
beforeAll(async () => {
  aws = await testAws('shared-limit');
}, 30_000);
afterAll(() => aws?.stop());

/** Clients and simulators of the running test, closed after it whatever happened. */
let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  const closing = open.reverse();
  open = [];
  for (const resource of closing) await resource.close().catch(() => undefined);
});

async function simulator(options: Parameters<typeof startJamaSimulator>[0]): Promise<JamaSimulator> {
  const sim = await startJamaSimulator(options);
  open.push(sim);
  return sim;
}

interface FleetOptions {
  sim: JamaSimulator;
  /** The limiter item every worker of this fleet shares. */
  environment: string;
  workers: number;
  ids: readonly number[];
  /** How long a worker waits before retrying an item Jama answered 429. */
  after429Ms: number;
  /** A worker still busy past this moment fails the test instead of hanging. */
  deadline: number;
}

interface FleetResult {
  /** Item ids as fetched, in completion order. */
  fetched: number[];
  /** LimiterWaitErrors (jobs that would have gone back to SQS). */
  limiterWaits: number;
  /** JamaRateLimitedErrors seen by the workers. */
  rateLimited: number;
  limiters: DynamoDbRateLimiter[];
  clients: JamaClient[];
}

/**
 * `workers` workers, each with its own DynamoDBClient, DynamoDbRateLimiter and JamaClient (as
 * separate Lambda containers would have), fetch `ids` with one getItem each. Each worker takes
 * every `workers`-th id and works through them one after another; a LimiterWaitError means
 * "come back in retryAfterMs" (the job goes back to SQS), a 429 means "try again shortly".
 */
async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const { sim, environment, workers, ids, after429Ms, deadline } = options;
  const result: FleetResult = { fetched: [], limiterWaits: 0, rateLimited: 0, limiters: [], clients: [] };
  for (let w = 0; w < workers; w++) {
    const limiter = new DynamoDbRateLimiter({
      client: aws.dynamodb(),
      tableName: aws.tables.state,
      environment,
      limit: LIMIT,
    });
    const client = new JamaClient({ url: `${sim.url}/rest/v1`, credentials: OAUTH, limiter });
    open.push(client);
    result.limiters.push(limiter);
    result.clients.push(client);
  }
  await Promise.all(
    result.clients.map(async (client, w) => {
      for (const id of ids.filter((_, i) => i % workers === w)) {
        for (;;) {
          if (Date.now() > deadline) throw new Error(`Worker ${w} still fetching item ${id} at the deadline`);
          try {
            const item = await client.getItem(id);
            result.fetched.push(item.id);
            break;
          } catch (error) {
            if (error instanceof LimiterWaitError) {
              result.limiterWaits++;
              await sleep(error.retryAfterMs);
            } else if (error instanceof JamaRateLimitedError) {
              result.rateLimited++;
              await sleep(after429Ms);
            } else {
              throw error;
            }
          }
        }
      }
    }),
  );
  return result;
}

interface Measured {
  /** Our calls answered, token calls and 429s included. */
  ours: number;
  ours429: number;
  /** Arrival times of our calls that were not answered 429. */
  oursAccepted: number[];
  /** Most accepted calls (ours and foreign) in any sliding 1 s window. */
  maxWindowAll: number;
  maxWindowOurs: number;
  /** (n − 1) / (last − first) over our accepted calls, calls per second. */
  rate: number;
  spanS: number;
}

/** Counts at the simulator, from its call log. */
function measure(sim: JamaSimulator): Measured {
  const calls = sim.calls();
  const ours = calls.filter((c) => !c.foreign);
  const oursAccepted = ours.filter((c) => c.status !== 429).map((c) => c.at);
  const accepted = calls.filter((c) => c.status !== 429).map((c) => c.at);
  const first = Math.min(...oursAccepted);
  const last = Math.max(...oursAccepted);
  return {
    ours: ours.length,
    ours429: ours.length - oursAccepted.length,
    oursAccepted,
    maxWindowAll: maxInAnyWindow(accepted),
    maxWindowOurs: maxInAnyWindow(oursAccepted),
    rate: ((oursAccepted.length - 1) * 1000) / (last - first),
    spanS: (last - first) / 1000,
  };
}

const sum = (limiters: DynamoDbRateLimiter[], key: 'forfeits' | 'conflicts' | 'writes' | 'reads') =>
  limiters.reduce((n, l) => n + l.stats[key], 0);

const sorted = (values: Iterable<number>) => [...values].sort((a, b) => a - b);

describe('Jama client + DynamoDB limiter against the Jama simulator (issue 3)', () => {
  it('keeps 8 workers of one environment to ≤ 10 calls in any second, no 429, at ≥ 85 % of the limit', async () => {
    const sim = await simulator({ projects: 3, itemsPerProject: 100, rateLimit: LIMIT, latencyMs: LATENCY });
    const ids = sim.items().map((i) => i.id);
    expect(ids).toHaveLength(300);
    const fleet = await runFleet({
      sim,
      environment: `one-${randomUUID().slice(0, 8)}`,
      workers: 8,
      ids,
      after429Ms: 250,
      deadline: Date.now() + 55_000,
    });
    const m = measure(sim);
    console.info(
      `[shared-limit 1] 8 workers, ${ids.length} items: ${m.ours} calls at the simulator (${m.ours429} × 429) ` +
        `in ${m.spanS.toFixed(2)} s = ${m.rate.toFixed(2)} calls/s (${((m.rate / LIMIT) * 100).toFixed(1)} % of ${LIMIT}); ` +
        `max ${m.maxWindowOurs} in any 1 s window; limiter waits ${fleet.limiterWaits}, ` +
        `forfeits ${sum(fleet.limiters, 'forfeits')}, conflicts ${sum(fleet.limiters, 'conflicts')}, ` +
        `writes ${sum(fleet.limiters, 'writes')}, reads ${sum(fleet.limiters, 'reads')}`,
    );

    expect(sorted(fleet.fetched)).toEqual(sorted(ids));
    expect(fleet.rateLimited).toBe(0);
    expect(m.ours429).toBe(0);
    expect(m.ours).toBe(ids.length + 8); // one getItem per item, one token per worker
    expect(m.maxWindowOurs).toBeLessThanOrEqual(LIMIT);
    expect(m.rate).toBeGreaterThanOrEqual(0.85 * LIMIT);
  }, 60_000);

  // Issue 3 asks for < 3 % 429s here. Measured 4 of 262 calls (1.5 %): a cut at 9/s 0.6 s after
  // the start and 3 echoes from slots booked before it. The refused call went within a second of
  // the timeline becoming busy, so the limiter learns the room the window had (≈ 6/s) and holds
  // at 0.9 × it (5.41/s) from the end of the 3 s pause, with no further 429. When that first 429
  // finds the room too large, a second follows right after the pause and is found exactly
  // (5 × 429, 1.9 %). Before the limiter learned the room (× 0.7 cuts, then probing towards the
  // knee): 5 × 429 (1.9 %) and up to 3.0 %; probing towards a knee that only bounds the room, as
  // this limiter did before it held under every knee: 7 × 429 (2.6 %), 4.76 calls/s (5.28 now).
  it('settles below what a foreign integration leaves (4 of 10 calls/s taken) with < 3 % 429s', async () => {
    const foreignRate = 4;
    const left = LIMIT - foreignRate;
    const sim = await simulator({
      projects: 3,
      itemsPerProject: 100,
      rateLimit: LIMIT,
      foreignRate,
      latencyMs: LATENCY,
    });
    const ids = sim
      .items()
      .slice(0, 250)
      .map((i) => i.id);
    const environment = `foreign-${randomUUID().slice(0, 8)}`;
    const fleet = await runFleet({
      sim,
      environment,
      workers: 8,
      ids,
      after429Ms: 100,
      deadline: Date.now() + 85_000,
    });
    const m = measure(sim);
    const last = Math.max(...m.oursAccepted);
    const tail = m.oursAccepted.filter((at) => at > last - 10_000);
    const tailRate = tail.length / 10;
    const share429 = m.ours429 / m.ours;
    const state = (await fleet.limiters[0]?.readState()) as LimiterState;
    const calls = sim.calls();
    const cuts = calls.filter((c) => !c.foreign && c.status === 429).map((c) => c.at);
    const first = Math.min(...m.oursAccepted);
    console.info(
      `[shared-limit 2] foreign ${foreignRate}/s, 8 workers, ${ids.length} items: ${m.ours} calls of ours, ` +
        `${m.ours429} × 429 (${(share429 * 100).toFixed(2)} %) at ${cuts.map((at) => `${((at - first) / 1000).toFixed(1)} s`).join(', ')}; ` +
        `overall ${m.rate.toFixed(2)} calls/s over ${m.spanS.toFixed(1)} s; last 10 s: ${tail.length} calls = ${tailRate.toFixed(1)}/s, ` +
        `max ${maxInAnyWindow(tail)} of ours in any 1 s window; max ${m.maxWindowAll} in any 1 s window with foreign; ` +
        `limiter at the end: rate ${state?.rate}, streak ${state?.streak}; limiter waits ${fleet.limiterWaits}, ` +
        `throttles reported ${fleet.limiters.reduce((n, l) => n + l.stats.throttles, 0)}`,
    );

    expect(sorted(fleet.fetched)).toEqual(sorted(ids));
    expect(fleet.rateLimited).toBe(m.ours429);
    expect(m.maxWindowAll).toBeLessThanOrEqual(LIMIT);
    expect(tailRate).toBeLessThanOrEqual(left);
    expect(maxInAnyWindow(tail)).toBeLessThanOrEqual(left);
    expect(share429).toBeLessThan(0.03);
  }, 90_000);

  it('keeps a separate limit per Jama environment: two side by side each get ≥ 85 % of their own 10/s', async () => {
    const [simA, simB] = await Promise.all([
      simulator({ projects: 2, itemsPerProject: 80, rateLimit: LIMIT, latencyMs: LATENCY }),
      simulator({ projects: 2, itemsPerProject: 80, rateLimit: LIMIT, latencyMs: LATENCY }),
    ]);
    const tag = randomUUID().slice(0, 8);
    const deadline = Date.now() + 40_000;
    const [fleetA, fleetB] = await Promise.all(
      [simA, simB].map((sim, i) =>
        runFleet({
          sim,
          environment: `side-${i}-${tag}`,
          workers: 4,
          ids: sim.items().map((item) => item.id),
          after429Ms: 250,
          deadline,
        }),
      ),
    );
    const [a, b] = [measure(simA), measure(simB)];
    const both = sorted([...a.oursAccepted, ...b.oursAccepted]);
    console.info(
      `[shared-limit 3] two environments × 4 workers × 160 items: ` +
        `A ${a.rate.toFixed(2)} calls/s (${a.ours} calls, ${a.ours429} × 429, max ${a.maxWindowOurs} in 1 s) | ` +
        `B ${b.rate.toFixed(2)} calls/s (${b.ours} calls, ${b.ours429} × 429, max ${b.maxWindowOurs} in 1 s) | ` +
        `together max ${maxInAnyWindow(both)} in 1 s`,
    );

    for (const [sim, fleet, m] of [
      [simA, fleetA, a],
      [simB, fleetB, b],
    ] as const) {
      expect(sorted(fleet?.fetched ?? [])).toEqual(sorted(sim.items().map((i) => i.id)));
      expect(m.ours429).toBe(0);
      expect(m.maxWindowOurs).toBeLessThanOrEqual(LIMIT);
      expect(m.rate).toBeGreaterThanOrEqual(0.85 * LIMIT);
    }
  }, 45_000);
});

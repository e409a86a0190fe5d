import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorOptionsPatch } from '../../src/simulator/server';
import { type Pipeline, startPipeline } from '../support/pipeline';
import { CALM } from './faults';
import { CHAOS } from './scale';
import { drainDeadLetters } from './verdict';

/**
 * Transient faults must stay transient: garbage 200s, a Jama outage (5xx, then refused
 * connections) and a forward sink answering 307 end with 0 dead letters and every item current.
 * `npm test` plays a short outage with MAX_FAILURES=2, which without the outage budget and the
 * circuit breaker dead-letters within seconds; `npm run test:chaos` plays 60 s and 5 minutes.
 */
const OUTAGES_MS = CHAOS.items >= 2000 ? [60_000, 300_000] : [8_000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ours = (p: Pipeline) => p.simulator.calls().filter((c) => !c.foreign);

async function expectMirrorCurrent(p: Pipeline) {
  const mirror = await p.mirror();
  const stale = p.simulator
    .items()
    .filter((it) => mirror.get(it.id)?.modifiedDate !== it.modifiedDate || mirror.get(it.id)?.deleted);
  expect(stale.map((it) => it.id)).toEqual([]);
}

/** Plays `patch` for `ms` (longer, up to 10 times, until at least `felt` of our calls met it), then calm. */
async function phase(p: Pipeline, patch: SimulatorOptionsPatch, ms: number, felt = 0, start?: () => unknown) {
  const from = Date.now();
  p.simulator.setOptions(patch);
  await start?.();
  const during = () => ours(p).filter((c) => c.at >= from);
  await sleep(ms);
  while (during().length < felt && Date.now() - from < 10 * ms) await sleep(250);
  p.simulator.setOptions(CALM);
  return during();
}

jest.setTimeout(CHAOS.testTimeoutMs + OUTAGES_MS.reduce((a, b) => a + b, 0) * 2);

describe(`transient faults stay transient (${CHAOS.items} items)`, () => {
  let p: Pipeline | undefined;
  let sink: Server | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
    const server = sink;
    sink = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each(OUTAGES_MS)(
    'garbage 200s and a %i ms outage mid-reconciliation: 0 dead letters, every item current after',
    async (outageMs) => {
      p = await startPipeline({
        simulator: { projects: 2, itemsPerProject: CHAOS.items / 2, seed: 9 },
        env: { JAMA_SYNC_PROJECTS: '20,21', JAMA_SYNC_BACKOFF_CAP_SECONDS: '5', JAMA_SYNC_MAX_FAILURES: '2' },
      });
      // The full run starts into the garbage: half of Jama's 200s are HTML pages or cut short.
      const garbage = await phase(p, { faults: { garbageRate: 0.5 } }, 3000, 6, () =>
        p?.reconcile({ mode: 'full' }),
      );
      expect(garbage.length).toBeGreaterThanOrEqual(6);
      // Changes made while Jama is down, and webhook pulls for them that arrive during the outage.
      const edited = p.simulator.items().slice(0, 20);
      for (const it of edited) p.simulator.updateItem(it.id, { name: `edited before the outage ${it.id}` });
      const enqueue = p.enqueue(
        edited.map((it) => ({ v: 1 as const, env: 'default', kind: 'pull' as const, itemId: it.id })),
      );
      const down = await phase(p, { faults: { serverErrorRate: 1 } }, outageMs / 2);
      const refused = await phase(p, { faults: { resetRate: 1 } }, outageMs / 2);
      await enqueue;
      const recoveredAt = Date.now();
      await p.idle(CHAOS.drainTimeoutMs + 120_000);

      const letters = await drainDeadLetters(p.sqs, p.resources.queues.jobsDlq.url);
      const outageCalls = down.length + refused.length;
      process.stdout.write(
        `outage ${outageMs / 1000} s: ${garbage.length} calls in the garbage-200 period, ` +
          `${outageCalls} calls while down (breaker; ${down.length} answered 503, ${refused.length} reset), drained ${((Date.now() - recoveredAt) / 1000).toFixed(1)} s after, ` +
          `${letters.length} dead letters\n`,
      );
      expect(letters).toEqual([]);
      await expectMirrorCurrent(p);
      // The breaker pauses everyone: far fewer calls than the 10/s the outage would otherwise absorb.
      expect(outageCalls).toBeLessThan((outageMs / 1000) * 2);
    },
  );

  it('a forward sink answering 307 for 10 s: 0 dead letters, every record forwarded after', async () => {
    let redirectUntil = Date.now() + 10_000;
    const received = new Set<number>();
    let redirects = 0;
    sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (Date.now() < redirectUntil) {
          redirects++;
          res.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' }).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records: { itemId: number }[] };
        for (const r of body.records) received.add(r.itemId);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => sink?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: Math.min(CHAOS.items, 400), seed: 11 },
      env: {
        JAMA_SYNC_PROJECTS: '20',
        JAMA_SYNC_BACKOFF_CAP_SECONDS: '5',
        JAMA_SYNC_MAX_FAILURES: '2',
        JAMA_SYNC_FORWARD_URL: url,
        JAMA_SYNC_FORWARD_SECRET: 'forward-sink-secret-0123456789',
      },
    });
    redirectUntil = Date.now() + 10_000;
    await p.reconcile({ mode: 'full' });
    await p.idle(CHAOS.drainTimeoutMs + 60_000);
    const letters = await drainDeadLetters(p.sqs, p.resources.queues.jobsDlq.url);
    process.stdout.write(`307 sink: ${redirects} redirects answered, ${letters.length} dead letters\n`);
    expect(redirects).toBeGreaterThan(0);
    expect(letters).toEqual([]);
    expect([...received].sort()).toEqual(
      p.simulator
        .items()
        .map((it) => it.id)
        .sort(),
    );
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import type { MirrorRow } from '../../src/adapters/mirror-sink';
import { type LocalStack, startLocalStack } from '../../src/local/local-stack';
import { postSigned } from '../../src/local/local-webhook';
import type { StormEvent } from '../workload';
import { isAbort, outcome } from './harness';
import type { Contestant, RunOutcome, Snapshot } from './types';

const SOURCE = { name: 'jama', env: 'default', secret: 'bench-webhook-secret-0123456789' };
/** Events per webhook request, and requests in flight at once (the sender's side of the storm). */
const EVENTS_PER_REQUEST = 50;
const SENDERS = 4;

function snapshot(mirror: Map<number, MirrorRow>): Snapshot {
  const out: Snapshot = new Map();
  for (const [id, row] of mirror) {
    if (!row.deleted) out.set(id, { modifiedDate: row.modifiedDate, fields: row.item?.fields });
  }
  return out;
}

/** POSTs the storm, signed, in requests of 50 events; a 503 (not durably queued) is sent again. */
async function sendStorm(p: LocalStack, events: readonly StormEvent[], signal: AbortSignal) {
  const requests: StormEvent[][] = [];
  for (let at = 0; at < events.length; at += EVENTS_PER_REQUEST)
    requests.push(events.slice(at, at + EVENTS_PER_REQUEST));
  const sender = async () => {
    for (let next = requests.shift(); next; next = requests.shift()) {
      for (;;) {
        signal.throwIfAborted();
        const res = await postSigned(p.webhook.url, SOURCE, { events: next });
        if (res.status === 202) break;
        if (res.status !== 503)
          throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
        await sleep(1000, undefined, { signal });
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
}

/**
 * Waits until both queues are empty and no invocation runs, twice in a row 250 ms apart (a batch
 * may sit between receive and invoke); returns the time of the first of those looks.
 */
async function drained(p: LocalStack, signal: AbortSignal): Promise<number> {
  let firstQuiet: number | undefined;
  for (;;) {
    const at = Date.now();
    const quiet = (await p.backlog()) === 0 && p.workers.busy === 0 && p.reconcile.running === 0;
    if (!quiet) firstQuiet = undefined;
    else if (firstQuiet === undefined) firstQuiet = at;
    else return firstQuiet;
    await sleep(250, undefined, { signal });
  }
}

/**
 * (a) jama-sync as `jama-sync local` runs it (src/local/local-stack.ts, at the deployed event
 * source settings): the webhook function behind its HTTP server, SQS (fauxqs) and DynamoDB
 * (dynalite) embedded, both worker deployments driven by the local event source mapping, the shared DynamoDB limiter, the
 * DynamoDB mirror as the sink. The storm is POSTed signed, 50 events per request; then the
 * reconcile function is invoked with `{"mode":"full"}`, as its daily schedule would.
 */
export const jamaSync: Contestant = {
  key: 'jama-sync',
  name: '(a) jama-sync',
  models:
    'The real webhook, queue, worker and reconcile code on loopback (embedded SQS and DynamoDB), one shared DynamoDB limiter; events carry documentKey, so pulls are coalesced and fetched 50 per call; full reconciliation pages of 50 from /abstractitems.',
  async run(ctx): Promise<RunOutcome> {
    const { workload, signal } = ctx;
    const p = await startLocalStack({
      prefix: `bench${Date.now()}`,
      simulator: workload.simulator,
      env: {
        JAMA_SYNC_PROJECTS: workload.projectIds.join(','),
        JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify([SOURCE]),
      },
    });
    const simulator = p.simulator;
    if (!simulator) throw new Error('bench: the simulator did not start');
    try {
      const notes: string[] = [];
      const startedAt = Date.now();
      workload.applyEdits(simulator);
      let stormEndedAt: number | undefined;
      let reconcileStartedAt: number | undefined;
      let sinkAfterStorm: Snapshot | undefined;
      let endedAt: number | undefined;
      try {
        await sendStorm(p, workload.events, signal);
        ctx.log(`storm delivered in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        stormEndedAt = await drained(p, signal);
        sinkAfterStorm = snapshot(await p.mirror());
        ctx.log(`storm drained in ${((stormEndedAt - startedAt) / 1000).toFixed(1)} s; reconciling`);
        reconcileStartedAt = Date.now();
        await p.reconcile.run({ mode: 'full' });
        endedAt = await drained(p, signal);
      } catch (error) {
        if (!isAbort(error, signal)) throw error;
      }
      endedAt ??= Date.now();
      const deadLetters = await p.deadLetters();
      if (deadLetters.length > 0) notes.push(`${deadLetters.length}+ jobs dead-lettered`);
      return outcome(simulator, signal, {
        startedAt,
        stormEndedAt,
        reconcileStartedAt,
        endedAt,
        sinkAfterStorm,
        sinkAtEnd: snapshot(await p.mirror()),
        notes,
      });
    } finally {
      await p.stop();
    }
  },
};

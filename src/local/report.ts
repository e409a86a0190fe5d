import type { MirrorRow } from '../adapters/mirror-sink';
import type { CliIo } from '../cli/command';
import { progressLine } from '../cli/format';
import type { LocalStack } from './local-stack';
import { mirrorDifferences, type RunSummary, relationshipDifferences } from './summary';

/**
 * Progress of a local run: on a TTY one live line redrawn every second, otherwise a plain log
 * line every 5 s. `show` skips ticks that come too soon.
 */
export function progress(stack: LocalStack, io: CliIo, tty: boolean) {
  const line = progressLine(io, tty);
  const limit = stack.config.environments.reduce((sum, e) => sum + e.rateLimit, 0);
  let last = 0;
  return {
    async show() {
      const now = Date.now();
      if (now - last < (tty ? 1000 : 5000)) return;
      last = now;
      const jama = stack.jama();
      const [counts, jobs, reconcile, dlq] = await Promise.all([
        mirrorCountsByEnvironment(stack),
        stack.depth('jobs'),
        stack.depth('reconcile'),
        stack.depth('jobsDlq'),
      ]);
      const { live, tombstones } = totalCounts(counts);
      line.show(
        `synced ${live} items (+${tombstones} tombstones) · backlog ${jobs + reconcile} · DLQ ${dlq} · ` +
          `${jama.ratePerSecond.toFixed(1)}/${limit} calls/s · 429s ${jama.throttled}`,
        true,
      );
    },
    done: () => line.done(),
  };
}

/** Live items and tombstones: the one definition every local figure uses. */
export function mirrorCounts(mirror: Map<number, MirrorRow>): { live: number; tombstones: number } {
  let tombstones = 0;
  for (const row of mirror.values()) if (row.deleted) tombstones++;
  return { live: mirror.size - tombstones, tombstones };
}

/** Live items and tombstones of every configured environment's mirror partition, in config order. */
export async function mirrorCountsByEnvironment(
  stack: LocalStack,
): Promise<{ env: string; live: number; tombstones: number; mirror: Map<number, MirrorRow> }[]> {
  return Promise.all(
    stack.config.environments.map(async ({ name }) => {
      const mirror = await stack.mirror(name);
      return { env: name, ...mirrorCounts(mirror), mirror };
    }),
  );
}

function totalCounts(counts: readonly { live: number; tombstones: number }[]) {
  return counts.reduce((t, c) => ({ live: t.live + c.live, tombstones: t.tombstones + c.tombstones }), {
    live: 0,
    tombstones: 0,
  });
}

/** Waits until both queues are drained and nothing runs, showing progress meanwhile. */
export async function drain(stack: LocalStack, io: CliIo, tty: boolean, signal?: AbortSignal): Promise<void> {
  const view = progress(stack, io, tty);
  let pending: Promise<void> = Promise.resolve();
  await stack.idle({
    onTick: () => {
      pending = pending.then(view.show).catch(() => undefined);
    },
    ...(signal ? { signal } : {}),
  });
  await pending;
  view.done();
}

/** What the run did so far, with the mirror checked against the simulator when there is one. */
export async function summarize(stack: LocalStack, startedAt: number): Promise<RunSummary> {
  const counts = await mirrorCountsByEnvironment(stack);
  const jama = stack.jama();
  // Every environment's partition counts (the total was once the first environment's alone).
  const { live, tombstones } = totalCounts(counts);
  // The bundled simulator stands in for the first environment only.
  const mirror = counts[0]?.mirror ?? new Map<number, MirrorRow>();
  const mismatches = stack.simulator ? mirrorDifferences(mirror, stack.simulator.items()) : [];
  const links = await stack.relationships();
  const linkMismatches = stack.simulator
    ? relationshipDifferences(links, stack.simulator.relationships())
    : [];
  return {
    elapsedSeconds: (Date.now() - startedAt) / 1000,
    jamaCalls: jama.calls,
    jama429s: jama.throttled,
    itemsInMirror: live,
    tombstones,
    itemsPerCall: jama.calls ? Math.round((live * 100) / jama.calls) / 100 : 0,
    maxCallsInAnySecond: jama.busiestSecond,
    rateLimit: stack.config.environments[0]?.rateLimit ?? 10,
    countedAt: jama.countedAt,
    environments: jama.environments.map((e) => {
      const c = counts.find((x) => x.env === e.env);
      return { ...e, itemsInMirror: c?.live ?? 0, tombstones: c?.tombstones ?? 0 };
    }),
    deadLetters: await stack.depth('jobsDlq'),
    webhookEvents: stack.webhook.events,
    reconcileRuns: stack.reconcile.runs,
    mirrorMatches: stack.simulator ? mismatches.length === 0 : null,
    mismatches,
    relationshipsInMirror: links.size,
    relationshipsMatch: stack.simulator ? linkMismatches.length === 0 : null,
    relationshipMismatches: linkMismatches,
  };
}

/**
 * After the first drain: shows work that arrives later (webhooks, `jama-sync enqueue` or
 * `reconcile` from another terminal, the schedule) while it runs, and a line when it is done.
 */
export async function follow(
  stack: LocalStack,
  io: CliIo,
  tty: boolean,
  log: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (signal.aborted) return;
    const busy = stack.workers.busy + stack.reconcile.running + (await stack.backlog().catch(() => 0));
    if (busy === 0) continue;
    const before = stack.jama().calls;
    const since = Date.now();
    log(`Work arrived (${new Date(since).toISOString().slice(11, 19)} UTC): syncing…`);
    await drain(stack, io, tty, signal);
    if (signal.aborted) return;
    const { live, tombstones } = totalCounts(await mirrorCountsByEnvironment(stack));
    log(
      `Drained in ${((Date.now() - since) / 1000).toFixed(1)} s: ${stack.jama().calls - before} Jama calls; ` +
        `mirror ${live} items (+${tombstones} tombstones). Waiting for more.`,
    );
  }
}

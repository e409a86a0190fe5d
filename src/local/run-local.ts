import type { CliIo } from '../cli/command';
import { ENV } from '../config';
import { isJamaSyncError, UsageError } from '../core/errors';
import { FIRST_PROJECT_ID } from '../simulator/data';
import { silentChanges, webhookBurst } from './demo';
import { type LocalStack, startLocalStack } from './local-stack';
import { type LocalProcess, publishLocal } from './publish';
import { drain, follow, summarize } from './report';
import { formatSummary } from './summary';

/** `jama-sync local`, its flags parsed (see src/cli/local-command.ts). */
export interface LocalRunOptions {
  jamaUrl?: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  projects?: number[];
  forwardUrl?: string;
  forwardSecret?: string;
  /** Write change events as JSON lines to this file. */
  eventsOut?: string;
  rate: number;
  /** Fraction of the rate reconciliation may use on its own (0 < share ≤ 1). */
  backgroundShare?: number;
  /** Demo: items per simulated project. */
  items: number;
  untilIdle: boolean;
  json: boolean;
  webhookPort?: number;
  /** 0: no scheduled incremental runs. */
  reconcileEveryMs: number;
  /** Where `.jama-sync/local.json` goes. */
  cwd: string;
  /**
   * Where the mirror, state and queues are kept on disk; undefined keeps them in memory. The CLI
   * defaults it to `.jama-sync/data` with a real Jama, and leaves the demo in memory.
   */
  dataDir?: string;
  env: Record<string, string | undefined>;
  tty: boolean;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}

const SIMULATED_PROJECTS = 3;
/** Traceability in the demo: about one link per simulated item. */
const SIMULATED_LINKS_PER_ITEM = 1;

/** Runs the pipeline locally: the demo, or a real Jama's projects; returns the exit code. */
export async function runLocal(o: LocalRunOptions, io: CliIo): Promise<number> {
  const jamaUrl = o.jamaUrl ?? o.env[ENV.url];
  // Several environments (JAMA_SYNC_ENVIRONMENTS) name their projects in each entry.
  const several = !jamaUrl && Boolean(o.env[ENV.environments]);
  if (jamaUrl && !o.projects)
    throw new UsageError('`--projects` is required with `--jama-url`, e.g. `--projects 20,21`.');
  const projects = o.projects ?? Array.from({ length: SIMULATED_PROJECTS }, (_, i) => FIRST_PROJECT_ID + i);
  const startedAt = Date.now();
  const stack = await startLocalStack({
    env: {
      ...o.env,
      [ENV.url]: jamaUrl,
      [ENV.clientId]: o.clientId ?? o.env[ENV.clientId],
      [ENV.clientSecret]: o.clientSecret ?? o.env[ENV.clientSecret],
      [ENV.username]: o.username ?? o.env[ENV.username],
      [ENV.password]: o.password ?? o.env[ENV.password],
      [ENV.rateLimit]: String(o.rate),
      [ENV.backgroundShare]: String(o.backgroundShare ?? 1),
      [ENV.projects]: several ? undefined : projects.join(','),
      [ENV.forwardUrl]: o.forwardUrl ?? o.env[ENV.forwardUrl],
      [ENV.forwardSecret]: o.forwardSecret ?? o.env[ENV.forwardSecret],
    },
    simulator: {
      projects: SIMULATED_PROJECTS,
      itemsPerProject: o.items,
      rateLimit: o.rate,
      relationshipsPerItem: SIMULATED_LINKS_PER_ITEM,
    },
    eventsOut: o.eventsOut,
    webhookPort: o.webhookPort,
    dataDir: o.dataDir,
  });
  const log = o.json ? io.err : io.out;
  const live = o.tty && !o.json;
  let published: LocalProcess | undefined;
  try {
    await checkProjects(stack);
    published = await publishLocal(stack, {
      cwd: o.cwd,
      reconcileEveryMs: o.reconcileEveryMs,
      onScheduleError: (mode, error) =>
        io.err(`Scheduled ${mode} reconciliation failed: ${error instanceof Error ? error.message : error}`),
      onOperatorRun: (s) =>
        log(
          `Operator started ${s.mode} run ${s.runId}: ${s.started.length} project(s) started` +
            `${s.skipped.length ? `, ${s.skipped.length} skipped` : ''}${s.failed.length ? `, ${s.failed.length} failed` : ''}.`,
        ),
    });
    log(published.banner);
    if (stack.simulator) await demo(stack, log, (s) => drain(stack, io, live, s), o.signal);
    else {
      const all = stack.config.environments.map((e) => `${e.name}: ${e.projects.join(', ')}`).join('; ');
      log(`Reconciling projects (${all}) into the local mirror (full run)…`);
      await stack.reconcile.run({ mode: 'full' });
      await drain(stack, io, live, o.signal);
    }
    if (o.signal.aborted) return 130;
    const summary = await summarize(stack, startedAt);
    io.out(o.json ? JSON.stringify(summary) : formatSummary(summary));
    if (o.untilIdle) return summary.mirrorMatches === false || summary.deadLetters > 0 ? 1 : 0;
    log(
      `Backlog drained. The pipeline keeps running: post webhooks, watch ${published.dashboardUrl}, or try \`npx jama-sync status\` in another terminal. Press Ctrl-C to stop.`,
    );
    await follow(stack, io, live, log, o.signal);
    log('Stopping.');
    return 0;
  } finally {
    await published?.close();
    await stack.stop();
  }
}

/** A busy limiter ("next slot is 11 ms away", LIMITER_WAIT) is a reason to wait, not to stop at start. */
async function whenLimiterLets<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isJamaSyncError(error) || error.code !== 'LIMITER_WAIT' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** One call up front turns a wrong URL, bad credentials or a missing licence into a clear error now. */
async function checkProjects(stack: LocalStack) {
  for (const env of stack.config.environments) {
    const client = stack.workers.deps.jamaClients.get(env.name);
    const visible = ((await whenLimiterLets(async () => client?.listProjects())) ?? []).map((p) => p.id);
    const missing = env.projects.filter((id) => !visible.includes(id));
    if (missing.length) {
      const where = stack.config.environments.length > 1 ? ` (environment ${env.name})` : '';
      throw new UsageError(
        `Project(s) ${missing.join(', ')} not found in Jama${where}; these are visible: ${visible.join(', ') || 'none'}.`,
      );
    }
  }
}

/** The demo: a first full reconciliation, a webhook burst, silent changes healed by an incremental run. */
async function demo(
  stack: LocalStack,
  log: (text: string) => void,
  settle: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
) {
  const sim = stack.simulator as NonNullable<LocalStack['simulator']>;
  const source = stack.webhook.sources[0];
  log('1/3 Full reconciliation of every simulated project into the empty mirror…');
  await stack.reconcile.run({ mode: 'full' });
  await settle(signal);
  if (signal.aborted) return;
  if (source) {
    const burst = await webhookBurst(sim, stack.webhook.url, source);
    log(
      `2/3 Edited ${burst.edited} and deleted ${burst.deleted} items, linked ${burst.linked} pairs and retyped ${burst.relinked} links in Jama; ` +
        `sent ${burst.events} signed webhook events ` +
        `(a third of the updates twice) in ${burst.requests} requests to ${stack.webhook.url}/webhooks/${source.name}…`,
    );
    await settle(signal);
    if (signal.aborted) return;
  } else log('2/3 Skipped the webhook burst: no webhook source with an inline secret.');
  const silent = silentChanges(sim);
  log(
    `3/3 Edited ${silent.edited}, deleted ${silent.deleted} and created ${silent.created} items, changed ${silent.relinked} ` +
      `and removed ${silent.unlinked} links with no webhook; ` +
      'an incremental reconciliation finds them…',
  );
  await stack.reconcile.run({ mode: 'incremental' });
  await settle(signal);
}

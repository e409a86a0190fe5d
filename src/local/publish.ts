import { randomBytes } from 'node:crypto';
import type { ReconcileMode } from '../core/ports/reconcile-state';
import type { ReconcileSummary } from '../core/reconcile/start';
import type { LocalCounters } from '../ops/deployment';
import { OpsError } from '../ops/errors';
import { localDeployment } from '../ops/local-target';
import { checkExistence } from './check';
import { dashboardData } from './dashboard';
import type { LocalStack } from './local-stack';
import { startOpsServer } from './ops-server';
import { type Schedule, startSchedule } from './schedule';
import { type LocalState, removeLocalState, STATE_FILE, writeLocalState } from './state-file';

export interface LocalProcess {
  /** What runs where, for the start of a run. */
  banner: string;
  /** The live dashboard, token included (in the fragment, which browsers never send). */
  dashboardUrl: string;
  schedule: Schedule;
  close(): Promise<void>;
}

export interface PublishOptions {
  cwd: string;
  /** 0: no scheduled incremental runs. */
  reconcileEveryMs: number;
  onScheduleError(mode: ReconcileMode, error: unknown): void;
  /** A reconciliation asked for through the ops endpoint (`jama-sync reconcile` elsewhere). */
  onOperatorRun?(summary: ReconcileSummary): void;
}

function every(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/**
 * Makes a running local stack reachable and alive: the reconciliation schedule, the loopback ops
 * endpoint, and `.jama-sync/local.json` under `cwd` for operator commands (removed on close).
 */
export async function publishLocal(stack: LocalStack, options: PublishOptions): Promise<LocalProcess> {
  const schedule = startSchedule({
    incrementalEveryMs: options.reconcileEveryMs,
    run: (mode) => stack.reconcile.run({ mode }),
    onError: options.onScheduleError,
  });
  const token = randomBytes(24).toString('base64url');
  const stats = (): LocalCounters => ({
    jama: stack.jama(),
    webhook: { events: stack.webhook.events, requests: stack.webhook.requests },
    reconcile: { runs: stack.reconcile.runs, running: stack.reconcile.running, next: schedule.next() },
  });
  let state: LocalState | undefined;
  let deployment: ReturnType<typeof localDeployment> | undefined;
  const ops = await startOpsServer({
    token,
    handlers: {
      reconcile: async (request) => {
        const summary = await stack.reconcile.run(request as never);
        options.onOperatorRun?.(summary);
        return summary;
      },
      check: (request) => checkExistence(stack, request),
      stats: () => ({
        pid: process.pid,
        ...stats(),
        workers: { busy: stack.workers.busy, ...stack.workers.source.stats },
      }),
      dashboard: () => {
        if (!state) throw new OpsError('TARGET_NOT_FOUND', 'starting');
        deployment ??= localDeployment(state, {
          reconcile: (request) => stack.reconcile.run(request),
          counters: async () => stats(),
        });
        return dashboardData(deployment, stack, 0);
      },
    },
  }).catch((error: unknown) => {
    schedule.stop();
    throw error;
  });
  const { config, resources, endpoints, webhook } = stack;
  state = {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    jama: { url: config.environments[0]?.url ?? '', simulator: stack.simulator !== undefined },
    aws: endpoints,
    tables: {
      state: resources.tables.state,
      ...(config.mirrorTable ? { mirror: resources.tables.mirror } : {}),
    },
    queues: {
      jobs: resources.queues.jobs.url,
      reconcile: resources.queues.reconcile.url,
      deadLetter: resources.queues.jobsDlq.url,
    },
    environments: config.environments.map((e) => ({
      name: e.name,
      rateLimit: e.rateLimit,
      projects: e.projects,
    })),
    webhook: { url: webhook.url, sources: webhook.sources.map((s) => s.name) },
    ops: { url: ops.url, token },
  };
  const dashboardUrl = `${ops.url}/dashboard#token=${token}`;
  const { ownedBy } = await writeLocalState(options.cwd, state);
  const sim = stack.simulator;
  const demoSources = webhook.sources.filter((s) => s.generated);
  const lines = [
    'jama-sync local',
    `  Jama        ${sim ? `simulator at ${sim.url} (${sim.options.projects} projects × ${sim.options.itemsPerProject} items, ${sim.options.rateLimit} calls/s)` : state.jama.url}`,
    `  AWS         ${endpoints.embedded ? 'embedded ' : ''}DynamoDB ${endpoints.dynamodb}, SQS ${endpoints.sqs}`,
    `  Webhook     POST ${webhook.url}/webhooks/<source>: ${webhook.sources.map((s) => s.name).join(', ') || 'no source'}`,
    ...demoSources.map(
      (source) =>
        `              source '${source.name}' signs with secret '${source.secret}' (docs/webhooks.md)`,
    ),
    `  Dashboard   ${dashboardUrl}`,
    `  Reconcile   ${options.reconcileEveryMs ? `incremental every ${every(options.reconcileEveryMs)}, ` : ''}full daily at 03:30 UTC`,
    ownedBy
      ? `  Operate     another jama-sync local (pid ${ownedBy}) owns ${STATE_FILE}: operator commands here reach that one`
      : `  Operate     npx jama-sync status | enqueue | reconcile | dlq | export  (this process: ${STATE_FILE})`,
  ];
  return {
    banner: lines.join('\n'),
    dashboardUrl,
    schedule,
    async close() {
      schedule.stop();
      if (!ownedBy) await removeLocalState(options.cwd);
      await ops.close();
      deployment?.close();
    },
  };
}

import { UsageError } from '../core/errors';
import type { JobInput } from '../core/worker/jobs';
import { type LocalStack, startLocalStack } from '../local/local-stack';
import { busiestSecond, formatSummary, mirrorDifferences, type RunSummary } from '../local/summary';
import { type CliIo, type Command, intFlag, numberFlag, parseFlags } from './command';

const HELP = `Usage: jama-sync local [options]

Runs the whole pipeline in this process: embedded DynamoDB and SQS on 127.0.0.1, the sync worker
driven exactly as Lambda's SQS event source would drive it, and the bundled Jama simulator — or a
real Jama with --jama-url. What \`npm start\` runs.

With no Jama URL it runs a demo: a full reconciliation of the simulated projects, then simulated
edits and deletes synced through the queue, then a summary.

Options:
  --jama-url URL         Jama base URL, e.g. https://tenant.jamacloud.com (env JAMA_URL)
  --client-id ID         OAuth client id (env JAMA_CLIENT_ID)
  --client-secret SECRET OAuth client secret (env JAMA_CLIENT_SECRET)
  --projects 20,21       Project ids to reconcile (required with --jama-url; demo: all simulated)
  --forward-url URL      Also POST synced items to this URL (signed HTTP sink)
  --forward-secret S     HMAC secret for --forward-url (env FORWARD_SECRET)
  --rate N               The Jama environment's limit in calls/s (default 10; env JAMA_RATE_LIMIT)
  --items N              Demo: items per simulated project (default 200)
  --until-idle           Exit once the backlog is drained (default for the demo)
  --json                 Print the summary as JSON on stdout (progress goes to stderr)
  -h, --help             Show this help

Examples:
  npm start
  npm start -- --until-idle --json
  npx jama-sync local --jama-url https://acme.jamacloud.com --client-id ci --client-secret … --projects 20,21
`;

const FLAGS = {
  'jama-url': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  projects: { type: 'string' },
  'forward-url': { type: 'string' },
  'forward-secret': { type: 'string' },
  rate: { type: 'string' },
  items: { type: 'string' },
  'until-idle': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

function parseProjects(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => Number(s.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new UsageError(`Expected \`--projects\` to be project ids like \`20,21\`, got \`${value}\`.`);
  }
  return ids;
}

/** Shows progress: a live line on a TTY, a log line every 5 s otherwise. */
function progress(stack: LocalStack, io: CliIo, tty: boolean) {
  let last = 0;
  let lastCalls = 0;
  return async () => {
    const now = Date.now();
    if (now - last < (tty ? 500 : 5000)) return;
    const calls = jamaCalls(stack);
    const rate = last ? ((calls.total - lastCalls) * 1000) / (now - last) : 0;
    [last, lastCalls] = [now, calls.total];
    const [mirror, backlog, dlq] = await Promise.all([
      stack.mirror(),
      stack.depth('jobs'),
      stack.depth('jobsDlq'),
    ]);
    const line = `synced ${mirror.size} items · backlog ${backlog} · ${rate.toFixed(1)} calls/s (limit ${stack.config.environments[0]?.rateLimit}) · 429s ${calls.throttled} · DLQ ${dlq}`;
    io.err(tty ? `\r\x1b[2K${line}` : line);
  };
}

function jamaCalls(stack: LocalStack) {
  if (stack.simulator) {
    const ours = stack.simulator.calls().filter((c) => !c.foreign);
    return { total: ours.length, throttled: ours.filter((c) => c.status === 429).length };
  }
  let total = 0;
  let throttled = 0;
  for (const client of stack.deps.jamaClients.values()) {
    const stats = client.stats();
    total += stats.calls;
    throttled += stats.byStatus['429'] ?? 0;
  }
  return { total, throttled };
}

async function drain(stack: LocalStack, io: CliIo, tty: boolean) {
  const show = progress(stack, io, tty);
  let pending: Promise<void> = Promise.resolve();
  await stack.idle({
    onTick: () => {
      pending = pending.then(show).catch(() => undefined);
    },
  });
  await pending;
  if (tty) io.err('');
}

async function summarize(stack: LocalStack, startedAt: number): Promise<RunSummary> {
  const mirror = await stack.mirror();
  const calls = jamaCalls(stack);
  const tombstones = [...mirror.values()].filter((r) => r.deleted).length;
  const live = mirror.size - tombstones;
  const mismatches = stack.simulator ? mirrorDifferences(mirror, stack.simulator.items()) : [];
  return {
    elapsedSeconds: (Date.now() - startedAt) / 1000,
    jamaCalls: calls.total,
    jama429s: calls.throttled,
    itemsInMirror: live,
    tombstones,
    itemsPerCall: calls.total ? live / calls.total : 0,
    maxCallsInAnySecond: stack.simulator
      ? busiestSecond(
          stack.simulator
            .calls()
            .filter((c) => c.status !== 429)
            .map((c) => c.at),
        )
      : null,
    rateLimit: stack.config.environments[0]?.rateLimit ?? 10,
    deadLetters: await stack.depth('jobsDlq'),
    mirrorMatches: stack.simulator ? mismatches.length === 0 : null,
    mismatches,
  };
}

function scanJobs(env: string, projects: number[], runId: string): JobInput[] {
  return projects.map((projectId) => ({ v: 1, env, kind: 'scan', projectId, mode: 'full', runId, from: 0 }));
}

/** Demo edits: change, delete and create some simulated items, and queue what webhooks would. */
function demoChanges(stack: LocalStack): JobInput[] {
  const sim = stack.simulator;
  if (!sim) return [];
  const items = sim.items();
  const jobs: JobInput[] = [];
  for (const item of items.filter((_, i) => i % 10 === 0)) {
    const changed = sim.updateItem(item.id, { name: `${item.fields.name ?? 'Item'} (edited)` });
    jobs.push({ v: 1, env: 'default', kind: 'pull', itemId: changed.id, documentKey: changed.documentKey });
  }
  for (const item of items.filter((_, i) => i % 37 === 5)) {
    sim.deleteItem(item.id);
    jobs.push({ v: 1, env: 'default', kind: 'delete', itemId: item.id, documentKey: item.documentKey });
  }
  return jobs;
}

export async function runLocal(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  tty: boolean,
) {
  const { values } = parseFlags(argv, FLAGS, 'local');
  const jamaUrl = values['jama-url'] ?? env.JAMA_URL;
  const projects = parseProjects(values.projects ?? env.JAMA_PROJECTS);
  if (jamaUrl && !projects)
    throw new UsageError('`--projects` is required with `--jama-url`, e.g. `--projects 20,21`.');
  const rate = numberFlag('rate', values.rate ?? env.JAMA_RATE_LIMIT, 10, 0.1);
  const items = intFlag('items', values.items, 200, 1);
  const startedAt = Date.now();
  const stack = await startLocalStack({
    env: {
      ...env,
      JAMA_URL: jamaUrl,
      JAMA_CLIENT_ID: values['client-id'] ?? env.JAMA_CLIENT_ID,
      JAMA_CLIENT_SECRET: values['client-secret'] ?? env.JAMA_CLIENT_SECRET,
      JAMA_RATE_LIMIT: String(rate),
      FORWARD_URL: values['forward-url'] ?? env.FORWARD_URL,
      FORWARD_SECRET: values['forward-secret'] ?? env.FORWARD_SECRET,
    },
    simulator: { projects: 3, itemsPerProject: items, rateLimit: rate },
  });
  const log = values.json ? io.err : io.out;
  try {
    const envName = stack.config.environments[0]?.name ?? 'default';
    // One call up front turns a wrong URL, bad credentials or a missing licence into a clear error now.
    const visible = ((await stack.deps.jamaClients.get(envName)?.listProjects()) ?? []).map((p) => p.id);
    const missing = (projects ?? []).filter((id) => !visible.includes(id));
    if (missing.length) {
      throw new UsageError(
        `Project(s) ${missing.join(', ')} not found in Jama; these are visible: ${visible.join(', ')}.`,
      );
    }
    const projectIds = projects ?? visible;
    log(
      `jama-sync local: ${stack.simulator ? `Jama simulator at ${stack.simulator.url}` : `Jama at ${jamaUrl}`}`,
    );
    log(`Reconciling projects ${projectIds.join(', ')} into the local mirror…`);
    await stack.enqueue(scanJobs(envName, projectIds, `local-${startedAt}`));
    await drain(stack, io, tty && !values.json);
    if (stack.simulator) {
      const changes = demoChanges(stack);
      log(`Simulating ${changes.length} changes in Jama and syncing them through the queue…`);
      await stack.enqueue(changes);
      await drain(stack, io, tty && !values.json);
    }
    if (!values['until-idle'] && !stack.simulator) {
      log('Backlog drained; the worker keeps running. Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    const summary = await summarize(stack, startedAt);
    io.out(values.json ? JSON.stringify(summary) : formatSummary(summary));
    return summary.mirrorMatches === false || summary.deadLetters > 0 ? 1 : 0;
  } finally {
    await stack.stop();
  }
}

export const localCommand: Command = {
  name: 'local',
  summary: 'Run the whole pipeline locally (what `npm start` runs)',
  help: HELP,
  run: (argv, io) => {
    // Locally the handlers' EMF metrics and info logs would drown the progress display.
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    return runLocal(argv, io, process.env, process.stderr.isTTY === true);
  },
};

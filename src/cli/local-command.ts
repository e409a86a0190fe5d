import { UsageError } from '../core/errors';
import { runLocal } from '../local/run-local';
import { type CliIo, type Command, durationFlag, idsFlag, intFlag, numberFlag, parseFlags } from './command';

const HELP = `Usage: jama-sync local [options]

Runs the whole pipeline in this process — what \`npm start\` runs: embedded DynamoDB and SQS on
127.0.0.1, both sync workers driven exactly as Lambda's SQS event source mappings drive them
(batch size, batching window, maximum concurrency, visibility, partial batch failures, DLQ), the
reconcile function on its schedule, the webhook on 127.0.0.1, and the bundled Jama simulator — or a
real Jama with --jama-url.

With no Jama URL it runs a demo: a full reconciliation of the simulated projects into the empty
mirror, a burst of signed webhook events for edits and deletes made in "Jama", then changes no
webhook announces, healed by an incremental reconciliation. It then waits until the backlog is
drained and prints a summary: Jama calls, 429s, items, items per call, the busiest second, and
whether the mirror matches Jama.

Afterwards it keeps running (webhook, schedule, operator commands: \`jama-sync status\`, …) until
Ctrl-C, unless --until-idle is given. While it runs, .jama-sync/local.json in the working
directory tells operator commands where it is.

Options:
  --jama-url URL         Jama base URL, e.g. https://tenant.jamacloud.com (env JAMA_URL)
  --client-id ID         OAuth client id (env JAMA_CLIENT_ID)
  --client-secret SECRET OAuth client secret (env JAMA_CLIENT_SECRET)
  --projects 20,21       Projects to reconcile (required with --jama-url; env JAMA_PROJECTS;
                         demo: all 3 simulated projects)
  --forward-url URL      Also POST synced items to this URL (the signed HTTP sink; env FORWARD_URL)
  --forward-secret S     HMAC secret for --forward-url, ≥ 16 characters (env FORWARD_SECRET)
  --events-out FILE      Append change events (docs/events.md) to FILE as JSON lines
  --rate N               The Jama environment's limit in calls/s (default 10; env JAMA_RATE_LIMIT)
  --background-share F   Fraction of that rate reconciliation may use on its own, 0 < F ≤ 1 (default
                         1; env JAMA_BACKGROUND_SHARE). Webhook-driven work may always use the
                         whole rate; leave headroom for other integrations that fail on a 429
  --webhook-port N       Port of the webhook on 127.0.0.1 (default: a free port). Sources come from
                         WEBHOOK_SOURCES (docs/webhooks.md), else one source 'demo' with a random
                         secret, printed at start
  --reconcile-every D    Interval of incremental reconciliation, e.g. 15m, 90s, 1h; 0 = off
                         (default 15m; a full run follows daily at 03:30 UTC)
  --items N              Demo: items per simulated project (default 200)
  --until-idle           Exit once the backlog is drained, with exit code 1 if the mirror does not
                         match the simulator or anything was dead-lettered
  --json                 Print the summary as JSON on stdout (progress goes to stderr)
  -h, --help             Show this help

Examples:
  npm start
  npm start -- --until-idle --json
  npm start -- --items 2000 --webhook-port 8787 --reconcile-every 1m
  npx jama-sync local --jama-url https://acme.jamacloud.com --client-id ci --client-secret … --projects 20,21
  JAMA_URL=https://acme.jamacloud.com JAMA_CLIENT_ID=ci JAMA_CLIENT_SECRET=… npx jama-sync local --projects 20 --until-idle
`;

const FLAGS = {
  'jama-url': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  projects: { type: 'string' },
  'forward-url': { type: 'string' },
  'events-out': { type: 'string' },
  'forward-secret': { type: 'string' },
  rate: { type: 'string' },
  'background-share': { type: 'string' },
  'webhook-port': { type: 'string' },
  'reconcile-every': { type: 'string' },
  items: { type: 'string' },
  'until-idle': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** `--background-share`: a fraction in (0, 1]. */
function shareFlag(value: string | undefined): number {
  const share = numberFlag('background-share', value, 1, 0);
  if (share <= 0 || share > 1)
    throw new UsageError(`Expected \`--background-share\` to be a number in (0, 1], got \`${value}\`.`);
  return share;
}

/** Stops on the first SIGINT or SIGTERM; a second one exits at once. */
function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Parses the flags and runs {@link runLocal}. Exported for tests. */
export async function local(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  tty: boolean,
) {
  const { values } = parseFlags(argv, FLAGS, 'local');
  const port = values['webhook-port'];
  const stop = stopSignal();
  try {
    const projects = idsFlag('projects', values.projects ?? env.JAMA_PROJECTS, 'project ids');
    const maybe = <K extends string, V>(key: K, value: V | undefined) =>
      (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
    return await runLocal(
      {
        ...maybe('jamaUrl', values['jama-url']),
        ...maybe('clientId', values['client-id']),
        ...maybe('clientSecret', values['client-secret']),
        ...maybe('projects', projects),
        ...maybe('forwardUrl', values['forward-url']),
        ...maybe('eventsOut', values['events-out']),
        ...maybe('forwardSecret', values['forward-secret']),
        ...maybe('webhookPort', port === undefined ? undefined : intFlag('webhook-port', port, 0)),
        rate: numberFlag('rate', values.rate ?? env.JAMA_RATE_LIMIT, 10, 0.1),
        backgroundShare: shareFlag(values['background-share'] ?? env.JAMA_BACKGROUND_SHARE),
        items: intFlag('items', values.items, 200, 1),
        reconcileEveryMs: durationFlag('reconcile-every', values['reconcile-every'], 15 * 60_000),
        untilIdle: values['until-idle'] === true,
        json: values.json === true,
        cwd: process.cwd(),
        env,
        tty,
        signal: stop.signal,
      },
      io,
    );
  } finally {
    stop.dispose();
  }
}

/**
 * fauxqs loads node:sqlite (for persistence we do not use), and Node warns that it is experimental
 * on every start; keep that one warning out of the demo's output and pass every other through.
 */
function hideSqliteWarning() {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/.test(warning.message)) return;
    for (const listener of listeners) listener(warning);
  });
}

export const localCommand: Command = {
  name: 'local',
  summary: 'Run the whole pipeline locally (what `npm start` runs)',
  help: HELP,
  run: (argv, io) => {
    // Locally the handlers' EMF metrics and info logs would drown the progress display.
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    hideSqliteWarning();
    return local(argv, io, process.env, process.stderr.isTTY === true);
  },
};

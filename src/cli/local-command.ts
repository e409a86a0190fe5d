import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors';
import { runLocal } from '../local/run-local';
import {
  type CliIo,
  type Command,
  durationFlag,
  idsFlag,
  intFlag,
  numberFlag,
  parseFlags,
  textFlag,
  urlFlag,
} from './command';
import { credentialsGiven, secretFrom } from './credentials';
import { stopSignal } from './stop-signal';

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
Ctrl-C, SIGTERM or SIGHUP, unless --until-idle is given; work that arrives later (webhooks,
\`jama-sync enqueue\` or \`reconcile\` from another terminal) is shown as it runs. While it runs,
.jama-sync/local.json in the working directory tells operator commands where it is, and the banner
prints the URL of a live dashboard (calls/s against the limit, backlog, dead letters, latency, runs).

Options:
  --jama-url URL         Jama base URL, e.g. https://tenant.jamacloud.com (env JAMA_SYNC_URL). A
                         certificate your machine does not trust (self-signed, a company CA): put
                         its CA in a PEM file and set NODE_EXTRA_CA_CERTS=/path/ca.pem
  --client-id ID         OAuth client id (env JAMA_SYNC_CLIENT_ID)
  --client-secret-file F Read the OAuth client secret from this file (or env JAMA_SYNC_CLIENT_SECRET).
                         Prefer either to --client-secret SECRET, which other local users can
                         read in the process list
  --username U           Basic auth instead of OAuth (env JAMA_SYNC_USERNAME); fails under SAML/SSO
  --password-file F      Its password, from a file (or env JAMA_SYNC_PASSWORD; --password P works too)
  --projects 20,21       Projects to reconcile (required with --jama-url; env JAMA_SYNC_PROJECTS;
                         demo: all 3 simulated projects)
  --forward-url URL      Also POST synced items to this URL (the signed HTTP sink; env JAMA_SYNC_FORWARD_URL)
  --forward-secret S     HMAC secret for --forward-url, ≥ 16 characters (env JAMA_SYNC_FORWARD_SECRET)
  --events-out FILE      Append change events (docs/events.md) to FILE as JSON lines
  --rate N               The Jama environment's limit in calls/s (default 10, Jama's own limit;
                         env JAMA_SYNC_RATE_LIMIT). Above 10 needs --allow-high-rate
  --allow-high-rate      Accept a --rate above 10 (a Jama with a raised limit, or the simulator)
  --background-share F   Fraction of that rate reconciliation may use on its own, 0 < F ≤ 1 (default
                         1; env JAMA_SYNC_BACKGROUND_SHARE). Webhook-driven work may always use the
                         whole rate; leave headroom for other integrations that fail on a 429
  --webhook-port N       Port of the webhook on 127.0.0.1, 1–65535 (default: a free port). Sources
                         come from JAMA_SYNC_WEBHOOK_SOURCES (docs/webhooks.md), else one source 'demo' with
                         a random secret, printed at start ('demo-<env>' for each of several environments)
  --reconcile-every D    Interval of incremental reconciliation, e.g. 15m, 90s, 1h; at least 10s,
                         0 = off (default 15m; a full run follows daily at 03:30 UTC)
  --data-dir DIR         Keep the mirror, state and queues on disk here, so that acknowledged work
                         survives a crash and a restart resumes it (default with a real Jama:
                         .jama-sync/data; the demo keeps them in memory unless this is given)
  --ephemeral            Keep everything in memory (lost when the process ends)
  --items N              Demo: items per simulated project (default 200, at most 100000)
  --until-idle           Exit once the backlog is drained, with exit code 1 if the mirror does not
                         match the simulator or anything was dead-lettered
  --json                 Print the summary as JSON on stdout (progress goes to stderr)
  -h, --help             Show this help

Examples:
  npm start
  npm start -- --until-idle --json
  npm start -- --items 2000 --webhook-port 8787 --reconcile-every 1m
  npx jama-sync local --jama-url https://acme.jamacloud.com --client-id ci --client-secret-file ~/.jama-secret --projects 20,21
  JAMA_SYNC_URL=https://acme.jamacloud.com JAMA_SYNC_CLIENT_ID=ci JAMA_SYNC_CLIENT_SECRET="$(cat ~/.jama-secret)" npx jama-sync local --projects 20 --until-idle
  NODE_EXTRA_CA_CERTS=./corp-ca.pem npx jama-sync local --jama-url https://jama.corp.example --username sync --password-file ./pw --projects 5
`;

const FLAGS = {
  'jama-url': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-secret-file': { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  projects: { type: 'string' },
  'forward-url': { type: 'string' },
  'events-out': { type: 'string' },
  'forward-secret': { type: 'string' },
  rate: { type: 'string' },
  'allow-high-rate': { type: 'boolean' },
  'background-share': { type: 'string' },
  'webhook-port': { type: 'string' },
  'reconcile-every': { type: 'string' },
  items: { type: 'string' },
  'data-dir': { type: 'string' },
  ephemeral: { type: 'boolean' },
  'until-idle': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Jama's documented limit: more needs `--allow-high-rate`. */
const JAMA_LIMIT = 10;
/** `--background-share`: a fraction in (0, 1]. */
function shareFlag(value: string | undefined): number {
  const share = numberFlag('background-share', value, 1, 0);
  if (share <= 0 || share > 1)
    throw new UsageError(`Expected \`--background-share\` to be a number in (0, 1], got \`${value}\`.`);
  return share;
}

/** Parses the flags and runs {@link runLocal}. Exported for tests. */
export async function local(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  tty: boolean,
) {
  const { values } = parseFlags(argv, FLAGS, 'local');
  const cwd = process.cwd();
  const port = values['webhook-port'];
  const jamaUrl = urlFlag('jama-url', values['jama-url'], 'https://tenant.jamacloud.com');
  const clientId =
    textFlag('client-id', values['client-id']) ?? textFlag('JAMA_SYNC_CLIENT_ID', env.JAMA_SYNC_CLIENT_ID);
  const clientSecret = secretFrom(values, env, 'client-secret', 'JAMA_SYNC_CLIENT_SECRET');
  const username =
    textFlag('username', values.username) ?? textFlag('JAMA_SYNC_USERNAME', env.JAMA_SYNC_USERNAME);
  const password = secretFrom(values, env, 'password', 'JAMA_SYNC_PASSWORD');
  const projects = idsFlag('projects', values.projects ?? env.JAMA_SYNC_PROJECTS, 'project ids');
  if (jamaUrl && !projects)
    throw new UsageError('`--projects` is required with `--jama-url`, e.g. `--projects 20,21`.');
  if (jamaUrl ?? env.JAMA_SYNC_URL) credentialsGiven({ clientId, clientSecret, username, password });
  const rate = numberFlag(
    values.rate === undefined ? 'JAMA_SYNC_RATE_LIMIT' : 'rate',
    values.rate ?? env.JAMA_SYNC_RATE_LIMIT,
    10,
    0.1,
  );
  if (rate > 1000) throw new UsageError(`Expected \`--rate\` to be at most 1000 calls/s, got \`${rate}\`.`);
  const forwardUrl = urlFlag('forward-url', values['forward-url'], 'https://hooks.example.com/jama');
  const forwardSecret = textFlag('forward-secret', values['forward-secret']);
  if (forwardSecret !== undefined && forwardSecret.trim().length < 16)
    throw new UsageError(
      '`--forward-secret` needs at least 16 characters (the HMAC key of the forward sink).',
    );
  if (forwardUrl && !forwardSecret && !env.JAMA_SYNC_FORWARD_SECRET)
    throw new UsageError(
      '`--forward-url` needs `--forward-secret S` (or env JAMA_SYNC_FORWARD_SECRET): forwards are always signed.',
    );
  if (rate > JAMA_LIMIT && !values['allow-high-rate'])
    throw new UsageError(
      `\`--rate ${rate}\` is above Jama's limit of ${JAMA_LIMIT} calls/s, which every integration of an environment shares; ` +
        'above it Jama answers 429. If your Jama really allows more, add `--allow-high-rate`.',
    );
  if (rate > JAMA_LIMIT)
    io.err(`Warning: --rate ${rate} is above Jama's usual ${JAMA_LIMIT} calls/s (--allow-high-rate).`);
  const maybe = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
  const options = {
    ...maybe('jamaUrl', jamaUrl),
    ...maybe('clientId', clientId),
    ...maybe('clientSecret', clientSecret),
    ...maybe('username', username),
    ...maybe('password', password),
    ...maybe('projects', projects),
    ...maybe('forwardUrl', forwardUrl),
    ...maybe('eventsOut', values['events-out']),
    ...maybe('forwardSecret', forwardSecret),
    ...maybe('webhookPort', port === undefined ? undefined : intFlag('webhook-port', port, 0, 1, 65_535)),
    rate,
    backgroundShare: shareFlag(values['background-share'] ?? env.JAMA_SYNC_BACKGROUND_SHARE),
    items: intFlag('items', values.items, 200, 1, 100_000),
    reconcileEveryMs: durationFlag('reconcile-every', values['reconcile-every'], 15 * 60_000, {
      minMs: 10_000,
      zeroMeansOff: true,
    }),
    untilIdle: values['until-idle'] === true,
    json: values.json === true,
    cwd,
    ...maybe('dataDir', dataDir(values, Boolean(jamaUrl ?? env.JAMA_SYNC_URL ?? env.JAMA_SYNC_ENVIRONMENTS))),
    env,
    tty,
  };
  const stop = stopSignal(cwd, io);
  try {
    const code = await runLocal({ ...options, signal: stop.signal }, io);
    return stop.signal.aborted ? stop.code() : code;
  } finally {
    stop.dispose();
  }
}

/** `--data-dir`, or `.jama-sync/data` with a real Jama; undefined (in memory) for `--ephemeral` and the demo. */
function dataDir(
  values: { 'data-dir'?: string; ephemeral?: boolean },
  realJama: boolean,
): string | undefined {
  if (values.ephemeral && values['data-dir'] !== undefined)
    throw new UsageError('`--ephemeral` and `--data-dir` contradict each other: give one of them.');
  if (values.ephemeral) return undefined;
  const dir = values['data-dir'] ?? (realJama ? join('.jama-sync', 'data') : undefined);
  return dir === undefined ? undefined : resolve(dir);
}

/**
 * fauxqs loads node:sqlite (its persistence, used under --data-dir), and Node warns that it is experimental
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

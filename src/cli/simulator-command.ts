import { UsageError } from '../core/errors';
import { FIRST_PROJECT_ID } from '../simulator/data';
import { type JamaSimulator, type SimulatorOptions, startJamaSimulator } from '../simulator/server';
import { type CliIo, type Command, intFlag, numberFlag, parseFlags } from './command';

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  projects: { type: 'string' },
  items: { type: 'string' },
  links: { type: 'string' },
  'relationship-paging': { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  'foreign-rate': { type: 'string' },
  'error-rate': { type: 'string' },
  'retry-after': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
} as const;

const HELP = `Usage: jama-sync simulator [options]

Runs a simulated Jama Connect environment on this machine: seeded projects and items, OAuth and
Basic auth, Jama's envelopes and paging, and the environment-wide limit of 10 calls per second
(429 past it). Runs until Ctrl+C (SIGINT) or SIGTERM.

Options:
  --port <n>            Port to listen on; 0 picks a free one (default 8080)
  --host <addr>         Interface to bind (default 127.0.0.1, loopback only)
  --projects <n>        Number of projects (default 3)
  --items <n>           Items per project (default 100)
  --links <n>           Seeded relationships per item, on average (default 0)
  --relationship-paging lastId|startAt
                        How GET /relationships pages: lastId as Jama 9.6.2+ (default), or startAt
                        as older versions (which ignore lastId)
  --seed <n>            Seed of the generated data and faults (default 1)
  --rate <n>            Calls per sliding second before 429; 0 = unlimited (default 10)
  --retry-after <s>     Send Retry-After: <s> with 429s (default: no header, as Jama)
  --latency <ms>        Fixed latency added to every call (default 0)
  --jitter <ms>         Extra random latency, 0…<ms> (default 0)
  --foreign-rate <n>    Calls/s another integration spends from the same limit (default 0)
  --error-rate <p>      Probability 0…1 that a call fails with 500/503 (default 0)
  --client-id <id>      OAuth client id (default jama-sync)
  --client-secret <s>   OAuth client secret (default jama-sync-secret)

Examples:
  jama-sync simulator --port 8080 --projects 3 --items 2000 --links 2
  jama-sync simulator --port 0 --rate 10 --foreign-rate 4 --latency 100 --jitter 50
  jama-sync simulator --error-rate 0.05 --retry-after 3 --client-id ci --client-secret s3cret

Control API — test and operator hooks under /__control/, never rate limited, never in the call
log; JSON in and out, errors as {"error": "…"}:
  GET    stats          Calls, accepted, rejected429, byStatus, maxAcceptedInAnyWindow(Ours), …
  GET    calls          The call log: [{at, method, path, status, foreign, …}, …]
  POST   reset-stats    Clears the call log (204)
  GET    options        The options in force
  PATCH  options        Change them live: {"rateLimit": 5, "retryAfterSeconds": 3 | null,
                        "latencyMs": {"fixed": 100, "jitter": 50}, "foreignRate": 4,
                        "faults": {"serverErrorRate": 0.05, "resetRate": 0, "slowRate": 0,
                        "slowMs": 2000}} (each key optional; faults replace the whole set)
  GET    items          Every live item
  POST   items          Create as a Jama user would: {"project": 20, "itemType": 24,
                        "fields": {"name": "…"}} → 201 and the item
  GET    items/<id>     One item (404 if absent)
  PATCH  items/<id>     Edit its fields: {"fields": {"name": "…", "description": "…"}}
  DELETE items/<id>     Delete it (204); edits and deletes record Jama activities
  GET|POST relationships, PATCH|DELETE relationships/<id>   Link, relink, unlink items

  curl -s localhost:8080/__control/stats
  curl -s -X PATCH localhost:8080/__control/options -d '{"rateLimit": 5}'
  curl -s -X PATCH localhost:8080/__control/items/10001 -d '{"fields": {"name": "Renamed in Jama"}}'`;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

function pagingFlag(value: string | undefined): 'lastId' | 'startAt' {
  if (value === undefined || value === 'lastId' || value === 'startAt') return value ?? 'lastId';
  throw new UsageError(`Expected \`--relationship-paging\` to be lastId or startAt, got \`${value}\`.`);
}

function toOptions(values: Values): SimulatorOptions {
  const errorRate = numberFlag('error-rate', values['error-rate'], 0);
  if (errorRate > 1)
    throw new UsageError(`Expected \`--error-rate\` to be a probability from 0 to 1, got \`${errorRate}\`.`);
  const clientId = values['client-id'] ?? 'jama-sync';
  const clientSecret = values['client-secret'] ?? 'jama-sync-secret';
  if (clientId === '' || clientSecret === '')
    throw new UsageError('`--client-id` and `--client-secret` must not be empty.');
  const options: SimulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: intFlag('port', values.port, 8080),
    projects: intFlag('projects', values.projects, 3, 1),
    itemsPerProject: intFlag('items', values.items, 100),
    relationshipsPerItem: intFlag('links', values.links, 0),
    relationshipPaging: pagingFlag(values['relationship-paging']),
    seed: intFlag('seed', values.seed, 1),
    rateLimit: intFlag('rate', values.rate, 10),
    latencyMs: {
      fixed: numberFlag('latency', values.latency, 0),
      jitter: numberFlag('jitter', values.jitter, 0),
    },
    foreignRate: numberFlag('foreign-rate', values['foreign-rate'], 0),
    faults: { serverErrorRate: errorRate },
    clients: [{ clientId, clientSecret }],
  };
  if (options.port !== undefined && options.port > 65_535) {
    throw new UsageError(`Expected \`--port\` to be at most 65535, got \`${options.port}\`.`);
  }
  if (values['retry-after'] !== undefined)
    options.retryAfterSeconds = intFlag('retry-after', values['retry-after'], 0);
  return options;
}

function banner(sim: JamaSimulator): string {
  const o = sim.options;
  const client = o.clients[0] ?? { clientId: '', clientSecret: '' };
  const user = o.users[0] ?? { username: '', password: '' };
  const firstProject = FIRST_PROJECT_ID;
  const limit =
    o.rateLimit === 0
      ? 'unlimited'
      : `${o.rateLimit} calls per sliding second, ${o.retryAfterSeconds === undefined ? 'no Retry-After header' : `Retry-After: ${o.retryAfterSeconds}`}`;
  return [
    `Jama simulator listening on ${sim.url}`,
    '',
    `  REST base     ${sim.url}/rest/v1`,
    `  OAuth token   POST ${sim.url}/rest/oauth/token  client id '${client.clientId}', secret '${client.clientSecret}'`,
    `  Basic auth    ${user.username}:${user.password}`,
    `  Data          ${o.projects} projects × ${o.itemsPerProject} items (seed ${o.seed}), project ids ${firstProject}…${firstProject + o.projects - 1}`,
    `  Limit         ${limit}${o.foreignRate > 0 ? `; a foreign integration uses ${o.foreignRate}/s` : ''}`,
    `  Control API   ${sim.url}/__control/stats (not rate limited)`,
    '',
    'Try:',
    `  curl -u '${user.username}:${user.password}' '${sim.url}/rest/v1/projects'`,
    `  TOKEN=$(curl -s -u '${client.clientId}:${client.clientSecret}' -d grant_type=client_credentials '${sim.url}/rest/oauth/token' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -H "Authorization: Bearer $TOKEN" '${sim.url}/rest/v1/abstractitems?project=${firstProject}&maxResults=50&sortBy=lastActivityDate.asc'`,
    `  curl '${sim.url}/__control/stats'`,
    '',
    'Press Ctrl+C to stop.',
  ].join('\n');
}

/** Resolves with the name of the first SIGINT or SIGTERM, and stops listening for them. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function start(options: SimulatorOptions): Promise<JamaSimulator> {
  try {
    return await startJamaSimulator(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(
        `Port ${options.port} is in use: pick another with --port, or --port 0 for a free one.`,
      );
    }
    throw error;
  }
}

/**
 * Runs the simulator until `stop` resolves (the CLI passes the next SIGINT/SIGTERM), then closes it.
 * Exported for tests.
 */
export async function runSimulator(argv: string[], io: CliIo, stop: () => Promise<string>): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, 'simulator');
  const stopping = stop();
  const sim = await start(toOptions(values));
  io.out(banner(sim));
  const signal = await stopping;
  io.out(`Received ${signal}; stopping the simulator.`);
  await sim.close();
  return 0;
}

/** `jama-sync simulator`: a local Jama Connect environment for development, tests and benchmarks. */
export const simulatorCommand: Command = {
  name: 'simulator',
  summary: 'Run a simulated Jama Connect environment (rate limit, auth, seeded data) on this machine',
  help: HELP,
  run: (argv, io) => runSimulator(argv, io, nextStopSignal),
};

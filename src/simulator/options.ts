import { ConfigError } from '../core/errors';
import type { ClientCredentials, UserCredentials } from './auth';

/** Probabilities (0…1, drawn from a seeded generator) of the failures real networks and servers have. */
export interface FaultOptions {
  /** Answer 500 or 503 without applying the request. @default 0 */
  serverErrorRate?: number;
  /** Destroy the socket without answering. @default 0 */
  resetRate?: number;
  /** Add `slowMs` before answering. @default 0 */
  slowRate?: number;
  /** @default 2000 */
  slowMs?: number;
  /**
   * Answer 200 with a body that is not Jama's JSON (a proxy's HTML page, or JSON cut short) without
   * applying the request, as a load balancer in front of a Jama under maintenance does. @default 0
   */
  garbageRate?: number;
}

/** Options of {@link startJamaSimulator}; every one has a default. */
export interface SimulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Seed of the generated data and of the fault generator. @default 1 */
  seed?: number;
  /** @default 3 */
  projects?: number;
  /** @default 100 */
  itemsPerProject?: number;
  /** Seeded links per item, on average (each to an earlier item of its project). @default 0 */
  relationshipsPerItem?: number;
  /** How `GET /relationships` pages: `lastId` (Jama 9.6.2+) or `startAt` (older). @default 'lastId' */
  relationshipPaging?: 'lastId' | 'startAt';
  /** Accepted calls per sliding 1 s window, across every client and endpoint; 0 = unlimited. @default 10 */
  rateLimit?: number;
  /** When set, 429 answers carry `Retry-After: <seconds>`. @default undefined (no header, as Jama) */
  retryAfterSeconds?: number;
  /** Added to every accepted and authenticated /rest call. @default { fixed: 0, jitter: 0 } */
  latencyMs?: { fixed: number; jitter: number };
  /** Calls per second another integration spends from the same limit. @default 0 */
  foreignRate?: number;
  /**
   * A foreign load that changes: `rates[i]` calls per second from `i × everyMs` after the
   * simulator starts, cycling through the list (e.g. 4 → 8 → 2 → 6 every 15 s). Replaces
   * `foreignRate` while set. @default undefined
   */
  foreignSchedule?: ForeignSchedule;
  /** @default {} (no faults) */
  faults?: FaultOptions;
  /** OAuth clients. @default [{ clientId: 'jama-sync', clientSecret: 'jama-sync-secret' }] */
  clients?: ClientCredentials[];
  /** Basic-auth users. @default [{ username: 'admin', password: 'admin' }] */
  users?: UserCredentials[];
  /** @default 3599 */
  tokenTtlSeconds?: number;
}

/** A foreign integration's rate that follows a schedule (see `SimulatorOptions.foreignSchedule`). */
export interface ForeignSchedule {
  everyMs: number;
  rates: number[];
}

/** Checks a schedule; throws {@link ConfigError} naming the bad part. */
export function checkSchedule(schedule: ForeignSchedule): ForeignSchedule {
  check('foreignSchedule.everyMs', schedule.everyMs, 100);
  if (!Array.isArray(schedule.rates) || schedule.rates.length === 0)
    throw new ConfigError('Expected `foreignSchedule.rates` to be a non-empty list of calls per second.');
  for (const [i, r] of schedule.rates.entries()) check(`foreignSchedule.rates[${i}]`, r, 0, 10_000);
  return { everyMs: schedule.everyMs, rates: [...schedule.rates] };
}

/** The options in force, defaults filled in. */
export interface ResolvedSimulatorOptions {
  host: string;
  port: number;
  seed: number;
  projects: number;
  itemsPerProject: number;
  relationshipsPerItem: number;
  relationshipPaging: 'lastId' | 'startAt';
  rateLimit: number;
  retryAfterSeconds: number | undefined;
  latencyMs: { fixed: number; jitter: number };
  foreignRate: number;
  foreignSchedule: ForeignSchedule | undefined;
  faults: Required<FaultOptions>;
  clients: ClientCredentials[];
  users: UserCredentials[];
  tokenTtlSeconds: number;
}

/** What may change while the simulator runs. `retryAfterSeconds: undefined` removes the header again. */
export interface SimulatorOptionsPatch {
  rateLimit?: number;
  retryAfterSeconds?: number | undefined;
  latencyMs?: { fixed: number; jitter: number };
  foreignRate?: number;
  /** Replaces the whole fault configuration (omitted rates become 0). */
  faults?: FaultOptions;
}

function check(
  name: string,
  value: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
  integer = false,
): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    const bounds = max >= Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`Expected \`${name}\` to be ${kind} ${bounds}, got \`${String(value)}\`.`);
  }
  return value;
}

function resolveFaults(faults: FaultOptions = {}): Required<FaultOptions> {
  return {
    serverErrorRate: check('faults.serverErrorRate', faults.serverErrorRate ?? 0, 0, 1),
    resetRate: check('faults.resetRate', faults.resetRate ?? 0, 0, 1),
    slowRate: check('faults.slowRate', faults.slowRate ?? 0, 0, 1),
    slowMs: check('faults.slowMs', faults.slowMs ?? 2000, 0),
    garbageRate: check('faults.garbageRate', faults.garbageRate ?? 0, 0, 1),
  };
}

function resolveLatency(latency = { fixed: 0, jitter: 0 }) {
  return {
    fixed: check('latencyMs.fixed', latency.fixed, 0),
    jitter: check('latencyMs.jitter', latency.jitter, 0),
  };
}

function pagingOf(value: string | undefined): 'lastId' | 'startAt' {
  if (value === undefined || value === 'lastId' || value === 'startAt') return value ?? 'lastId';
  throw new ConfigError(`Expected \`relationshipPaging\` to be \`lastId\` or \`startAt\`, got \`${value}\``);
}

/** Fills in defaults and validates; throws {@link ConfigError} naming the option and the value. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const resolved: ResolvedSimulatorOptions = {
    host: options.host ?? '127.0.0.1',
    port: check('port', options.port ?? 0, 0, 65_535, true),
    seed: check('seed', options.seed ?? 1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true),
    projects: check('projects', options.projects ?? 3, 1, 1000, true),
    itemsPerProject: check('itemsPerProject', options.itemsPerProject ?? 100, 0, 1_000_000, true),
    relationshipsPerItem: check('relationshipsPerItem', options.relationshipsPerItem ?? 0, 0, 20),
    relationshipPaging: pagingOf(options.relationshipPaging),
    rateLimit: 10,
    retryAfterSeconds: undefined,
    latencyMs: { fixed: 0, jitter: 0 },
    foreignRate: 0,
    foreignSchedule: options.foreignSchedule ? checkSchedule(options.foreignSchedule) : undefined,
    faults: resolveFaults(),
    clients: (options.clients ?? [{ clientId: 'jama-sync', clientSecret: 'jama-sync-secret' }]).map((c) => ({
      ...c,
    })),
    users: (options.users ?? [{ username: 'admin', password: 'admin' }]).map((u) => ({ ...u })),
    tokenTtlSeconds: check(
      'tokenTtlSeconds',
      options.tokenTtlSeconds ?? 3599,
      1,
      Number.MAX_SAFE_INTEGER,
      true,
    ),
  };
  const { rateLimit, retryAfterSeconds, latencyMs, foreignRate, faults } = options;
  const patch: SimulatorOptionsPatch = { retryAfterSeconds };
  if (rateLimit !== undefined) patch.rateLimit = rateLimit;
  if (latencyMs !== undefined) patch.latencyMs = latencyMs;
  if (foreignRate !== undefined) patch.foreignRate = foreignRate;
  if (faults !== undefined) patch.faults = faults;
  return applyOptionsPatch(resolved, patch);
}

/** Returns `current` with a validated patch applied (the input is not changed). */
export function applyOptionsPatch(
  current: ResolvedSimulatorOptions,
  patch: SimulatorOptionsPatch,
): ResolvedSimulatorOptions {
  const next = { ...current };
  if (patch.rateLimit !== undefined)
    next.rateLimit = check('rateLimit', patch.rateLimit, 0, Number.MAX_SAFE_INTEGER, true);
  if ('retryAfterSeconds' in patch) {
    next.retryAfterSeconds =
      patch.retryAfterSeconds === undefined || patch.retryAfterSeconds === null
        ? undefined
        : check('retryAfterSeconds', patch.retryAfterSeconds, 0, Number.MAX_SAFE_INTEGER, true);
  }
  if (patch.latencyMs !== undefined) next.latencyMs = resolveLatency(patch.latencyMs);
  if (patch.foreignRate !== undefined) next.foreignRate = check('foreignRate', patch.foreignRate, 0, 10_000);
  if (patch.faults !== undefined) next.faults = resolveFaults(patch.faults);
  return next;
}

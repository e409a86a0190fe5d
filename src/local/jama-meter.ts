import diagnostics from 'node:diagnostics_channel';
import { JAMA_CALL_CHANNEL, type JamaCallEvent } from '../adapters/jama/transport';
import { maxInAnyWindow } from '../simulator/rate-window';

/**
 * Where the local runtime's Jama figures are counted. Progress line, summary, `status`, its JSON
 * and the dashboard all show these, so they agree by construction.
 */
export const COUNTED_AT = 'Jama client';

/** One second of one environment's calls, for the dashboard's chart. */
export interface CallSecond {
  /** Start of the second (epoch ms). */
  t: number;
  accepted: number;
  throttled: number;
}

/** One Jama environment's calls from this process, counted in its Jama client as they are made. */
export interface EnvironmentCalls {
  env: string;
  rateLimit: number;
  /** Requests sent (token requests included). */
  calls: number;
  /** Of which Jama answered 429. */
  throttled: number;
  /** Of which got no answer (network errors, timeouts). */
  errors: number;
  /** Calls sent per second over the last 5 s. */
  ratePerSecond: number;
  /** Most calls sent in any one-second window (429s included). */
  busiestSecond: number;
}

/** Every environment's calls and their sum; `busiestSecond` of the sum is the busiest environment's. */
export interface JamaStats extends Omit<EnvironmentCalls, 'env' | 'rateLimit'> {
  countedAt: typeof COUNTED_AT;
  environments: EnvironmentCalls[];
}

const RATE_WINDOW_MS = 5000;
/** Seconds of history the dashboard's chart can show. */
const HISTORY_SECONDS = 600;

class EnvironmentMeter {
  calls = 0;
  throttled = 0;
  errors = 0;
  readonly sent: number[] = [];
  readonly seconds = new Map<number, CallSecond>();

  constructor(
    readonly env: string,
    readonly rateLimit: number,
  ) {}

  record(event: JamaCallEvent) {
    this.calls++;
    if (event.status === 429) this.throttled++;
    if (event.status === 'error') this.errors++;
    this.sent.push(event.sentAt);
    const t = Math.floor(event.sentAt / 1000) * 1000;
    const second = this.seconds.get(t) ?? { t, accepted: 0, throttled: 0 };
    if (event.status === 429) second.throttled++;
    else second.accepted++;
    this.seconds.set(t, second);
    if (this.seconds.size > HISTORY_SECONDS + 60)
      for (const key of this.seconds.keys()) if (key < t - HISTORY_SECONDS * 1000) this.seconds.delete(key);
  }

  read(now: number): EnvironmentCalls {
    let recent = 0;
    for (const at of this.sent) if (at >= now - RATE_WINDOW_MS) recent++;
    return {
      env: this.env,
      rateLimit: this.rateLimit,
      calls: this.calls,
      throttled: this.throttled,
      errors: this.errors,
      ratePerSecond: Math.round((recent * 1000 * 10) / RATE_WINDOW_MS) / 10,
      busiestSecond: maxInAnyWindow([...this.sent], 1000),
    };
  }

  /** Per-second counts from `since`, zeros filled in, up to the last complete second. */
  history(since: number, now: number): CallSecond[] {
    const out: CallSecond[] = [];
    const end = Math.floor(now / 1000) * 1000;
    for (let t = Math.max(Math.floor(since / 1000) * 1000, end - HISTORY_SECONDS * 1000); t < end; t += 1000)
      out.push(this.seconds.get(t) ?? { t, accepted: 0, throttled: 0 });
    return out;
  }
}

/** The local runtime's Jama meter: subscribes to every Jama client's calls in this process. */
export interface JamaMeter {
  read(): JamaStats;
  /** Per-second calls of each environment since `since` (at most the last 10 minutes). */
  history(since: number): Record<string, CallSecond[]>;
  stop(): void;
}

/** Starts counting the calls of the given environments (calls to other names are ignored). */
export function startJamaMeter(environments: readonly { name: string; rateLimit: number }[]): JamaMeter {
  const meters = new Map(environments.map((e) => [e.name, new EnvironmentMeter(e.name, e.rateLimit)]));
  const onCall = (message: unknown) => {
    const event = message as JamaCallEvent;
    meters.get(event.environment)?.record(event);
  };
  diagnostics.subscribe(JAMA_CALL_CHANNEL, onCall);
  return {
    read() {
      const now = Date.now();
      const list = [...meters.values()].map((m) => m.read(now));
      const sum = (pick: (e: EnvironmentCalls) => number) => list.reduce((n, e) => n + pick(e), 0);
      return {
        countedAt: COUNTED_AT,
        calls: sum((e) => e.calls),
        throttled: sum((e) => e.throttled),
        errors: sum((e) => e.errors),
        ratePerSecond: Math.round(sum((e) => e.ratePerSecond) * 10) / 10,
        busiestSecond: Math.max(0, ...list.map((e) => e.busiestSecond)),
        environments: list,
      };
    },
    history(since) {
      const now = Date.now();
      return Object.fromEntries([...meters.values()].map((m) => [m.env, m.history(since, now)]));
    },
    stop: () => diagnostics.unsubscribe(JAMA_CALL_CHANNEL, onCall),
  };
}

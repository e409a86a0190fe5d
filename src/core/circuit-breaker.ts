import type { Clock } from './clock';
import { JamaSyncError } from './errors';
import type { BreakerRecord, BreakerStore } from './ports/breaker-store';

export interface CircuitBreakerOptions {
  store: BreakerStore;
  env: string;
  clock: Clock;
  /** Consecutive transient failures (5xx, network, timeouts, garbage bodies) that open it. @default 10 */
  threshold?: number;
  /** First cool-down; it doubles each time a probe fails. @default 5000 */
  coolDownMs?: number;
  /** @default 60000 */
  maxCoolDownMs?: number;
  /** How stale the local view of the shared state may get. @default 1000 */
  refreshMs?: number;
}

/** The environment's breaker is open: Jama is down. Not a failure of the job; it waits like a throttle. */
export class JamaUnavailableError extends JamaSyncError {
  readonly retryAfterMs: number;

  constructor(env: string, retryAfterMs: number, reason?: string) {
    super(
      'JAMA_UNAVAILABLE',
      `Jama environment \`${env}\` is down (${reason ?? 'repeated failures'}); calls resume after a probe in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** Error codes that say Jama (or the way to it) is down rather than that a request is wrong. */
export const OUTAGE_CODES: ReadonlySet<string> = new Set([
  'JAMA_SERVER',
  'JAMA_NETWORK',
  'JAMA_TIMEOUT',
  'JAMA_BAD_RESPONSE',
]);

/**
 * A circuit breaker per Jama environment. After `threshold` transient failures in a row it opens
 * the environment's shared record: every caller then fails fast with {@link JamaUnavailableError}
 * (a throttle, not a failure, so no job burns its attempts during an outage) until the cool-down
 * ends; then exactly one caller probes. A successful probe closes it; a failed one re-opens it
 * with twice the cool-down (up to `maxCoolDownMs`).
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly maxCoolDownMs: number;
  private readonly refreshMs: number;
  private view: BreakerRecord | undefined;
  private viewAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private probing = false;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.threshold = options.threshold ?? 10;
    this.coolDownMs = options.coolDownMs ?? 5000;
    this.maxCoolDownMs = options.maxCoolDownMs ?? 60_000;
    this.refreshMs = options.refreshMs ?? 1000;
  }

  /** Before a call: resolves if it may go ahead, throws {@link JamaUnavailableError} if not. */
  async before(): Promise<void> {
    const { clock, env, store } = this.options;
    const now = clock.now();
    if (now - this.viewAt >= this.refreshMs) {
      this.view = await store.read(env);
      this.viewAt = now;
    }
    const view = this.view;
    if (!view) return;
    if (view.openUntil > now) throw new JamaUnavailableError(env, view.openUntil - now, view.reason);
    if (this.probing) return;
    if (await store.claimProbe(env, now + this.coolDownMs, now)) {
      this.probing = true;
      return;
    }
    // Someone else probes (or already closed it): look again on the next call.
    this.viewAt = Number.NEGATIVE_INFINITY;
    throw new JamaUnavailableError(env, this.coolDownMs / 5, view.reason);
  }

  /** After a call Jama answered sensibly (any 2xx or 4xx, a 429 included). */
  async succeeded(): Promise<void> {
    this.failures = 0;
    if (!this.view) return;
    this.view = undefined;
    this.probing = false;
    await this.options.store.close(this.options.env);
  }

  /** After a call that failed; only outages count. */
  async failed(error: unknown): Promise<void> {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !OUTAGE_CODES.has(code)) return;
    this.failures++;
    if (!this.probing && this.failures < this.threshold) return;
    const opened = this.probing ? (this.view?.opened ?? 0) + 1 : 1;
    const coolDown = Math.min(this.maxCoolDownMs, this.coolDownMs * 2 ** (opened - 1));
    const now = this.options.clock.now();
    const reason = `${code} ×${this.failures}: ${(error as Error).message}`.slice(0, 300);
    const record: BreakerRecord = { openUntil: now + coolDown, opened, reason };
    this.probing = false;
    this.failures = 0;
    this.view = record;
    this.viewAt = now;
    await this.options.store.open(this.options.env, record);
  }
}

import { Authenticator } from './auth';
import { CallLog, type PendingCall, type SimulatorStats } from './call-log';
import { generateDataset } from './data';
import { decideFault, type FaultDecision } from './faults';
import { ForeignTraffic } from './foreign-traffic';
import { applyOptionsPatch, type ResolvedSimulatorOptions, type SimulatorOptionsPatch } from './options';
import { createRng, type Rng } from './prng';
import { SlidingWindowLimiter } from './rate-window';
import { generateRelationships } from './relationships';
import { JamaStore } from './store';
import { usersFor } from './users';

/** Where the simulated foreign integration's calls appear to go. */
const FOREIGN_PATH = '/rest/v1/abstractitems?maxResults=50';

/**
 * The simulator without HTTP: options in force, state, limit window, foreign traffic, call log and
 * fault generator. The server feeds it arrivals; tests and the control API read it directly.
 */
export class SimulatorEngine {
  readonly store: JamaStore;
  readonly auth: Authenticator;
  private current: ResolvedSimulatorOptions;
  private readonly limiter: SlidingWindowLimiter;
  private readonly foreign: ForeignTraffic;
  private readonly log = new CallLog();
  private readonly faultRng: Rng;
  private readonly garbageRng: Rng;
  private lastNow = 0;

  constructor(options: ResolvedSimulatorOptions) {
    this.current = options;
    const dataset = generateDataset(options);
    const links = generateRelationships(dataset.items, options.seed, options.relationshipsPerItem);
    this.store = new JamaStore(dataset, usersFor(options.clients, options.users), links);
    this.store.relationshipPaging = options.relationshipPaging;
    this.auth = new Authenticator(options.clients, options.users, options.tokenTtlSeconds);
    this.limiter = new SlidingWindowLimiter(options.rateLimit);
    this.foreign = new ForeignTraffic(options.foreignRate, this.now(), options.foreignSchedule);
    // A stream of its own, so faults do not change when the amount of generated data does.
    this.faultRng = createRng(options.seed ^ 0x5eed_fa17);
    this.garbageRng = createRng(options.seed ^ 0x6a7b_a6e0);
  }

  get options(): ResolvedSimulatorOptions {
    return this.current;
  }

  /** Wall-clock ms that never goes backwards, so the window sees arrivals in order. */
  now(): number {
    this.lastNow = Math.max(this.lastNow, Date.now());
    return this.lastNow;
  }

  /**
   * A /rest call arrives: foreign calls due before it take their place in the window first, then
   * this call is admitted or rejected. Rejected calls are logged as 429 at once.
   */
  admit(method: string, path: string): { call: PendingCall; accepted: boolean } {
    const at = this.now();
    this.pumpForeign(at);
    const call = this.log.begin(at, method, path);
    // Our calls leave room for the foreign integration's next calls: like an integration that retries
    // until it succeeds, it gets its share, and a client sees only rateLimit − foreignRate per second.
    const accepted = this.limiter.tryAcquire(at, (end) => this.foreign.pendingBefore(end));
    if (!accepted) this.log.finish(call, 429, at);
    return { call, accepted };
  }

  finish(call: PendingCall, status: number): void {
    this.log.finish(call, status, this.now());
  }

  drawFault(): FaultDecision {
    return decideFault(this.faultRng, this.current.latencyMs, this.current.faults, this.garbageRng);
  }

  setOptions(patch: SimulatorOptionsPatch): void {
    const next = applyOptionsPatch(this.current, patch);
    const now = this.now();
    this.pumpForeign(now);
    if (next.foreignRate !== this.current.foreignRate) this.foreign.setRate(next.foreignRate, now);
    this.limiter.setLimit(next.rateLimit);
    this.current = next;
  }

  calls() {
    this.pumpForeign(this.now());
    return this.log.calls();
  }

  stats(): SimulatorStats {
    this.pumpForeign(this.now());
    return this.log.stats();
  }

  /** Clears the call log and counters; the limit window keeps its calls (they still take capacity). */
  resetStats(): void {
    this.pumpForeign(this.now());
    this.log.reset();
  }

  /** Foreign calls up to `now` (switching rates at the schedule's boundaries) take their place in the window. */
  private pumpForeign(now: number): void {
    for (const at of this.foreign.due(now)) {
      const accepted = this.limiter.tryAcquire(at);
      this.log.add({
        at,
        method: 'GET',
        path: FOREIGN_PATH,
        status: accepted ? 200 : 429,
        foreign: true,
        durationMs: 0,
      });
    }
  }
}

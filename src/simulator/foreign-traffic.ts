import type { ForeignSchedule } from './options';

/**
 * The calls of another integration sharing the environment's limit: `rate` per second, evenly
 * spaced from the moment the rate was set (the first one interval later), or, with a `schedule`,
 * at each of its rates in turn for `everyMs` from `origin`. Computed lazily, so no timer runs:
 * {@link due} returns the arrival times that have come since it was last asked.
 */
export class ForeignTraffic {
  private emitted = 0;
  private rate: number;
  private origin: number;
  /** The schedule's phase applied last. */
  private phase = 0;

  constructor(
    rate: number,
    private readonly scheduleOrigin: number,
    private readonly schedule?: ForeignSchedule,
  ) {
    this.rate = schedule?.rates[0] ?? rate;
    this.origin = scheduleOrigin;
  }

  /** Changes the rate from `now` on; take {@link due} first so earlier calls keep the old rate. */
  setRate(rate: number, now: number): void {
    this.rate = rate;
    this.origin = now;
    this.emitted = 0;
  }

  /** How many calls not yet returned by {@link due} are scheduled before `end`. */
  pendingBefore(end: number): number {
    if (this.rate <= 0) return 0;
    // The k-th call arrives at origin + k·interval; count k > emitted with that time < end.
    const kMax = Math.ceil(((end - this.origin) * this.rate) / 1000) - 1;
    return Math.max(0, kMax - this.emitted);
  }

  /** Arrival times in (last asked, now], oldest first, switching rates at the schedule's boundaries on the way. */
  due(now: number): number[] {
    const out: number[] = [];
    const schedule = this.schedule;
    if (schedule) {
      for (;;) {
        const boundary = this.scheduleOrigin + (this.phase + 1) * schedule.everyMs;
        if (boundary > now) break;
        out.push(...this.dueAtRate(boundary));
        this.phase++;
        this.setRate(schedule.rates[this.phase % schedule.rates.length] as number, boundary);
      }
    }
    out.push(...this.dueAtRate(now));
    return out;
  }

  /** Arrival times at the current rate in (last asked, now], oldest first. */
  private dueAtRate(now: number): number[] {
    if (this.rate <= 0) return [];
    const interval = 1000 / this.rate;
    const out: number[] = [];
    for (;;) {
      const at = this.origin + (this.emitted + 1) * interval;
      if (at > now) return out;
      this.emitted++;
      out.push(at);
    }
  }
}

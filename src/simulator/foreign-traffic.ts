/**
 * The calls of another integration sharing the environment's limit: `rate` per second, evenly
 * spaced from the moment the rate was set (the first one interval later). Computed lazily, so no timer runs: {@link due} returns
 * the arrival times that have come since it was last asked.
 */
export class ForeignTraffic {
  private emitted = 0;

  constructor(
    private rate: number,
    private origin: number,
  ) {}

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

  /** Arrival times in (last asked, now], oldest first. */
  due(now: number): number[] {
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

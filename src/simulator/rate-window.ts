/**
 * The environment-wide limit as Jama enforces it: at most `limit` accepted calls whose arrival
 * times fall within any sliding window of `windowMs`. Two arrivals share a window when they are
 * less than `windowMs` apart. Rejected calls take no capacity.
 */
export class SlidingWindowLimiter {
  private readonly accepted: number[] = [];
  private head = 0;

  /**
   * @param limit calls per window; 0 means unlimited.
   * @param windowMs @default 1000
   */
  constructor(
    private limit: number,
    private readonly windowMs = 1000,
  ) {}

  setLimit(limit: number): void {
    this.limit = limit;
  }

  /**
   * Admits or rejects a call arriving at `at` (epoch ms). Arrivals must be passed in
   * non-decreasing order. Accepted calls are remembered even when unlimited, so that lowering the
   * limit later counts the calls already in the window.
   *
   * `reserved(end)`, when given, counts calls known to arrive in (`at`, `end`) that must still fit
   * (another integration's schedule): this call is refused if admitting it would leave any window
   * containing `at` without room for them.
   */
  tryAcquire(at: number, reserved?: (end: number) => number): boolean {
    while (this.head < this.accepted.length && (this.accepted[this.head] ?? 0) <= at - this.windowMs) {
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.accepted.length) {
      this.accepted.splice(0, this.head);
      this.head = 0;
    }
    if (this.limit > 0 && this.busiestWindow(at, reserved) >= this.limit) return false;
    this.accepted.push(at);
    return true;
  }

  /** Most calls (accepted plus reserved) in one window containing `at`, before admitting a call at `at`. */
  private busiestWindow(at: number, reserved?: (end: number) => number): number {
    const inWindow = this.accepted.length - this.head;
    if (!reserved) return inWindow;
    // A window [s, s + windowMs) holding `at` starts at an accepted call or at `at` itself; the
    // accepted count only falls and the reserved count only rises as s moves later.
    let busiest = reserved(at + this.windowMs);
    for (let i = this.head; i < this.accepted.length; i++) {
      const start = this.accepted[i] ?? at;
      busiest = Math.max(busiest, this.accepted.length - i + reserved(start + this.windowMs));
    }
    return busiest;
  }
}

/**
 * The largest number of `timestamps` within any sliding window of `windowMs` (two timestamps
 * share a window when they are less than `windowMs` apart). Sorts a copy, then counts with two
 * pointers: O(n log n).
 *
 * @example
 * maxInAnyWindow([0, 100, 999, 1000]); // 3 — 0…999 share a window; 1000 is a full second after 0
 */
export function maxInAnyWindow(timestamps: readonly number[], windowMs = 1000): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    const end = sorted[right] ?? 0;
    while ((sorted[left] ?? 0) <= end - windowMs) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

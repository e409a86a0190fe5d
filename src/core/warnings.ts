import type { Clock } from './clock';

/** One aggregated warning: a cause, how often it happened again in the interval after its first line, and a few of the keys. */
export interface WarningSummary {
  cause: string;
  count: number;
  /** Up to `sampleSize` keys (item ids, document keys) it happened to. */
  sample: string[];
  /** The interval it covers (epoch ms). */
  from: number;
  to: number;
}

export interface WarningAggregatorOptions {
  clock: Clock;
  /** One line per cause per this interval. @default 10000 */
  intervalMs?: number;
  /** Keys kept per cause. @default 5 */
  sampleSize?: number;
  /** Causes kept per interval; the rest are counted under `other`. @default 50 */
  maxCauses?: number;
}

/**
 * Aggregates repeated warnings: during an outage hundreds of records fail for the same reason, and
 * one line per cause per interval with a count and a sample of keys says as much as hundreds of
 * lines would, without drowning everything else. Causes should be short (no query strings).
 */
export class WarningAggregator {
  private readonly intervalMs: number;
  private readonly sampleSize: number;
  private readonly maxCauses: number;
  private causes = new Map<string, { count: number; sample: string[] }>();
  private since: number;

  constructor(private readonly options: WarningAggregatorOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.sampleSize = options.sampleSize ?? 5;
    this.maxCauses = options.maxCauses ?? 50;
    this.since = options.clock.now();
  }

  /**
   * Counts one occurrence of `cause` for `key`. True for the first of its interval: log that one at
   * once (so a lone failure is not delayed), and the rest as {@link flush}'s summary.
   */
  note(cause: string, key?: string): boolean {
    const name = this.causes.has(cause) || this.causes.size < this.maxCauses ? cause : 'other';
    const entry = this.causes.get(name);
    if (!entry) {
      this.causes.set(name, { count: 0, sample: [] });
      return true;
    }
    entry.count++;
    if (key !== undefined && entry.sample.length < this.sampleSize && !entry.sample.includes(key))
      entry.sample.push(key);
    return false;
  }

  /** The summaries of the interval, if it is over (or `force`), and starts a new one. */
  flush(force = false): WarningSummary[] {
    const now = this.options.clock.now();
    if (!force && now - this.since < this.intervalMs) return [];
    const out = [...this.causes]
      .filter(([, e]) => e.count > 0)
      .map(([cause, e]) => ({ cause, ...e, from: this.since, to: now }));
    this.causes = new Map();
    this.since = now;
    return out;
  }
}

/** A cause fit for aggregation: query strings (50 document keys, say) and long tails cut off. */
export function shortCause(text: string, max = 200): string {
  const cut = text.replace(/\?[^\s)]*/g, '?…');
  return cut.length > max ? `${cut.slice(0, max)}…` : cut;
}

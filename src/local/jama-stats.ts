import type { JamaSimulator } from '../simulator/server';
import { startJamaMeter } from './jama-meter';
import { busiestSecond } from './summary';

/** This process's Jama calls. */
export interface JamaStats {
  calls: number;
  /** Calls Jama answered 429. */
  throttled: number;
  /** Calls per second over the last 5 s. */
  ratePerSecond: number;
  /** Most calls Jama accepted in any one-second window. */
  busiestSecond: number;
  /** Where the counts come from: the simulator's own log, or this process's outgoing requests. */
  countedAt: 'simulator' | 'client';
}

const RATE_WINDOW_MS = 5000;

/**
 * Counts Jama calls: at the simulator when there is one (what Jama saw, the ground truth for "no
 * second above the limit"), otherwise as they leave this process for the environments' URLs.
 */
export function jamaStats(source: JamaSimulator | readonly string[]): {
  read(): JamaStats;
  stop(): void;
} {
  if (!Array.isArray(source)) {
    const sim = source as JamaSimulator;
    return {
      read() {
        const ours = sim.calls().filter((c) => !c.foreign);
        const since = Date.now() - RATE_WINDOW_MS;
        return {
          calls: ours.length,
          throttled: ours.filter((c) => c.status === 429).length,
          ratePerSecond: (ours.filter((c) => c.at >= since).length * 1000) / RATE_WINDOW_MS,
          busiestSecond: busiestSecond(ours.filter((c) => c.status !== 429).map((c) => c.at)),
          countedAt: 'simulator',
        };
      },
      stop: () => undefined,
    };
  }
  const origins = new Set((source as readonly string[]).map((url) => new URL(url).origin));
  const meters = [...origins].map((origin) => startJamaMeter(origin));
  return {
    read() {
      const counts = meters.map((m) => m.counts());
      return {
        calls: counts.reduce((sum, c) => sum + c.calls, 0),
        throttled: counts.reduce((sum, c) => sum + c.throttled, 0),
        ratePerSecond: meters.reduce((sum, m) => sum + m.ratePerSecond(RATE_WINDOW_MS), 0),
        busiestSecond: Math.max(0, ...meters.map((m) => m.busiestSecond())),
        countedAt: 'client',
      };
    },
    stop: () => {
      for (const m of meters) m.stop();
    },
  };
}

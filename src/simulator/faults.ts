import type { FaultOptions } from './options';
import type { Rng } from './prng';

/** What to do to one call after the limit and auth checks. */
export interface FaultDecision {
  /** Latency (fixed + jitter) plus, for a slow call, `slowMs`. */
  delayMs: number;
  /** `reset`: destroy the socket; 500/503: answer so without applying the request; `html`/`truncated`: a garbage 200. */
  outcome: 'none' | 'reset' | 500 | 503 | 'html' | 'truncated';
}

/**
 * Draws the fate of one call. Always draws the same number of values, so a seed gives the same
 * sequence of decisions whatever the rates are.
 */
export function decideFault(
  rng: Rng,
  latency: { fixed: number; jitter: number },
  faults: Required<FaultOptions>,
  /** Garbage answers draw from their own stream, so other faults keep their sequence when it is off. */
  garbageRng?: Rng,
): FaultDecision {
  const jitter = rng.next() * latency.jitter;
  const slow = rng.next() < faults.slowRate;
  const reset = rng.next() < faults.resetRate;
  const error = rng.next() < faults.serverErrorRate;
  const status = rng.next() < 0.5 ? 500 : 503;
  const garbage =
    faults.garbageRate > 0 && garbageRng && garbageRng.next() < faults.garbageRate
      ? garbageRng.next() < 0.5
        ? 'html'
        : 'truncated'
      : undefined;
  return {
    delayMs: latency.fixed + jitter + (slow ? faults.slowMs : 0),
    outcome: reset ? 'reset' : error ? status : (garbage ?? 'none'),
  };
}

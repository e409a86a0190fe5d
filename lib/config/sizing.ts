/**
 * Sizing of the sync worker's concurrency. The limiter, not concurrency, holds the rate; concurrency
 * only has to be high enough that the worker can reach the rate.
 *
 * Rule: calls in flight = rate × p95 Jama latency (Little's law). Each invocation makes its Jama calls
 * one after another, so one invocation keeps at most one call in flight: at 10 calls/s and a p95
 * latency of 0.3 s that is 10 × 0.3 = 3 invocations. SQS's `maximumConcurrency` cannot go below 2.
 * More pollers than that would only queue up on the limiter, paying Lambda time to wait.
 *
 * Reserved concurrency is one above `maximumConcurrency`, so Lambda never throttles a delivery from
 * the event source (a throttled delivery still counts as a receive and pushes healthy messages
 * toward the dead-letter queue) and a manual or test invocation still finds room.
 */
export interface WorkerConcurrency {
  /** The event source's `ScalingConfig.MaximumConcurrency`. */
  maxConcurrency: number;
  /** The function's reserved concurrency: always greater than `maxConcurrency`. */
  reservedConcurrency: number;
}

/** Lambda's lower bound for an SQS event source's maximum concurrency. */
export const MIN_SQS_MAX_CONCURRENCY = 2;

/** Headroom of reserved over maximum concurrency (see above). */
export const RESERVED_HEADROOM = 1;

/**
 * @param totalRate calls per second summed over every Jama environment the worker serves
 * @param p95LatencyMs the p95 latency of one Jama REST call
 * @param override an explicit maximum concurrency, which wins over the rule
 * @example workerConcurrency(10, 300) // { maxConcurrency: 3, reservedConcurrency: 4 }
 */
export function workerConcurrency(
  totalRate: number,
  p95LatencyMs: number,
  override?: number,
): WorkerConcurrency {
  const inFlight = Math.ceil((totalRate * p95LatencyMs) / 1000 - 1e-9);
  const maxConcurrency = override ?? Math.max(MIN_SQS_MAX_CONCURRENCY, inFlight);
  return { maxConcurrency, reservedConcurrency: maxConcurrency + RESERVED_HEADROOM };
}

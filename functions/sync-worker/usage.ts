/** What one Jama environment's client and limiter did since the last look, for metrics. */
export interface EnvironmentUsage {
  env: string;
  calls: number;
  throttled: number;
  /** The shared limiter's current rate (calls/s), when it could be read. */
  limiterRate?: number;
}

/** The parts of an environment that usage is read from. */
export interface UsageSource {
  name: string;
  client: { stats(): { calls: number; byStatus: Record<string, number> } };
  limiter?: { readState(): Promise<{ rate: number } | undefined> };
}

/**
 * Returns a function that reports, per environment, the Jama calls and 429s since its previous
 * call (client counters are cumulative per container) and the limiter's current rate (one read of
 * the limiter item per call — once per batch, not per Jama call).
 */
export function usageMeter(sources: readonly UsageSource[]): () => Promise<EnvironmentUsage[]> {
  const previous = new Map<string, { calls: number; throttled: number }>();
  return async () =>
    Promise.all(
      sources.map(async ({ name, client, limiter }) => {
        const stats = client.stats();
        const now = { calls: stats.calls, throttled: stats.byStatus['429'] ?? 0 };
        const before = previous.get(name) ?? { calls: 0, throttled: 0 };
        previous.set(name, now);
        const state = await limiter?.readState().catch(() => undefined);
        return {
          env: name,
          calls: now.calls - before.calls,
          throttled: now.throttled - before.throttled,
          ...(state ? { limiterRate: state.rate } : {}),
        };
      }),
    );
}

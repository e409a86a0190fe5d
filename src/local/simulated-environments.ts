import { type JamaSimulator, type SimulatorOptions, startJamaSimulator } from '../simulator/server';
import { type LocalStack, type LocalStackOptions, startLocalStack } from './local-stack';

/** One simulated Jama environment: its own simulator, limit, data and neighbours. */
export interface SimulatedEnvironment {
  /** The environment's name in `JAMA_SYNC_ENVIRONMENTS` (and the mirror's partition). */
  name: string;
  /** Calls per second the simulator allows and the environment is configured with. */
  rateLimit: number;
  projects: number;
  itemsPerProject: number;
  /** @default { fixed: 200, jitter: 0 } */
  latencyMs?: { fixed: number; jitter: number };
  /** Calls per second a foreign integration spends from the same limit. @default 0 */
  foreignRate?: number;
  /** @default 1 */
  backgroundShare?: number;
}

/** A local deployment serving several simulated environments, one simulator each. */
export interface SimulatedEnvironments {
  stack: LocalStack;
  /** Each environment's simulator, by name: its call log is where its limit is judged. */
  simulators: Map<string, JamaSimulator>;
  /** The projects each environment reconciles (20, 21, …). */
  projects(name: string): number[];
  stop(): Promise<void>;
}

const FIRST_PROJECT = 20;

/**
 * Starts one Jama simulator per environment and `jama-sync local`'s runtime serving all of them
 * through `JAMA_SYNC_ENVIRONMENTS` (one entry each, as a deployment would list them), at the
 * deployed event source settings. Used by `npm run bench:environments` and the many-environment
 * integration test.
 */
export async function startSimulatedEnvironments(
  environments: readonly SimulatedEnvironment[],
  options: Omit<LocalStackOptions, 'simulator' | 'alwaysSimulate'> = {},
): Promise<SimulatedEnvironments> {
  const simulators = new Map<string, JamaSimulator>();
  const projects = (name: string) => {
    const env = environments.find((e) => e.name === name);
    return Array.from({ length: env?.projects ?? 0 }, (_, i) => FIRST_PROJECT + i);
  };
  const closeAll = () => Promise.allSettled([...simulators.values()].map((s) => s.close()));
  try {
    for (const [i, e] of environments.entries()) {
      const sim: SimulatorOptions = {
        seed: i + 1,
        projects: e.projects,
        itemsPerProject: e.itemsPerProject,
        rateLimit: e.rateLimit,
        latencyMs: e.latencyMs ?? { fixed: 200, jitter: 0 },
        ...(e.foreignRate ? { foreignRate: e.foreignRate } : {}),
      };
      simulators.set(e.name, await startJamaSimulator(sim));
    }
    const entries = environments.map((e) => {
      const sim = simulators.get(e.name) as JamaSimulator;
      const [client] = sim.options.clients;
      return {
        name: e.name,
        url: sim.url,
        rateLimit: e.rateLimit,
        clientId: client?.clientId,
        clientSecret: client?.clientSecret,
        projects: projects(e.name),
        backgroundShare: e.backgroundShare ?? 1,
      };
    });
    const stack = await startLocalStack({
      ...options,
      env: { ...options.env, JAMA_SYNC_ENVIRONMENTS: JSON.stringify(entries) },
    });
    return {
      stack,
      simulators,
      projects,
      async stop() {
        await stack.stop();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

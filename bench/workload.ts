/**
 * The benchmark's workload, the same for every contestant and deterministic from a seed: which
 * items change, the edits made to them in "Jama" when the storm starts, and the webhook storm
 * (duplicates included, shuffled) that reports them. A full reconciliation follows the storm.
 */
import { generateDataset } from '../src/simulator/data';
import { createRng } from '../src/simulator/prng';
import type { JamaSimulator, SimulatorOptions } from '../src/simulator/server';

export interface WorkloadOptions {
  /** Seed of the simulator's data and of the storm. @default 1 */
  seed?: number;
  /** @default 3 */
  projects?: number;
  /** @default 2000 */
  itemsPerProject?: number;
  /** Distinct items the storm reports (each one edited once when it starts). @default 2000 */
  changedItems?: number;
  /** Webhook events in the storm; every changed item gets at least one. @default 5000 */
  events?: number;
  /** Jama's limit, the same for every contestant. @default 10 */
  rateLimit?: number;
  /** Latency of every accepted call: uniform in [min, max] ms. @default { min: 100, max: 300 } */
  latencyMs?: { min: number; max: number };
}

/** A native webhook event (docs/webhooks.md), as Jama Connect Webhooks via a mapping would send it. */
export interface StormEvent {
  type: 'item.updated';
  itemId: number;
  projectId: number;
  documentKey: string;
}

export interface Workload {
  options: Required<WorkloadOptions>;
  /** What every contestant's fresh simulator is started with. */
  simulator: SimulatorOptions;
  projectIds: number[];
  /** Every item id of every project: what a full reconciliation must bring over. */
  itemIds: number[];
  /** Ids of the items the storm reports, ascending. */
  changed: number[];
  /** The storm, in sending order. */
  events: StormEvent[];
  /** Edits every changed item in the simulator (call at the start of the storm, before any event). */
  applyEdits(simulator: JamaSimulator): void;
  /** Fewest calls that can do the work: one token, 50 changed items per call, 50 items per page. */
  floorCalls: number;
  floorSeconds: number;
}

const positiveInt = (name: string, value: number) => {
  if (!(Number.isInteger(value) && value > 0))
    throw new RangeError(`Expected \`${name}\` to be an integer > 0, got \`${value}\``);
  return value;
};

/** Builds the workload; the same options always give the same storm. */
export function makeWorkload(options: WorkloadOptions = {}): Workload {
  const o: Required<WorkloadOptions> = {
    seed: options.seed ?? 1,
    projects: positiveInt('projects', options.projects ?? 3),
    itemsPerProject: positiveInt('itemsPerProject', options.itemsPerProject ?? 2000),
    changedItems: positiveInt('changedItems', options.changedItems ?? 2000),
    events: positiveInt('events', options.events ?? 5000),
    rateLimit: positiveInt('rateLimit', options.rateLimit ?? 10),
    latencyMs: options.latencyMs ?? { min: 100, max: 300 },
  };
  const total = o.projects * o.itemsPerProject;
  if (o.changedItems > total)
    throw new RangeError(`Expected \`changedItems\` ≤ ${total} (all items), got \`${o.changedItems}\``);
  if (o.events < o.changedItems)
    throw new RangeError(`Expected \`events\` ≥ \`changedItems\` (${o.changedItems}), got \`${o.events}\``);

  const dataset = generateDataset({ seed: o.seed, projects: o.projects, itemsPerProject: o.itemsPerProject });
  const byId = new Map(dataset.items.map((item) => [item.id, item]));
  const rng = createRng(o.seed ^ 0x0be7_c4a1);
  const shuffle = <T>(values: T[]): T[] => {
    for (let i = values.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [values[i], values[j]] = [values[j] as T, values[i] as T];
    }
    return values;
  };

  const changed = shuffle(dataset.items.map((item) => item.id))
    .slice(0, o.changedItems)
    .sort((a, b) => a - b);
  // Every changed item once, the rest as duplicates skewed towards a few hot items (r² favours low
  // indexes), as retried deliveries and bursts of edits to the same item produce.
  const reported = [...changed];
  for (let i = changed.length; i < o.events; i++) {
    reported.push(changed[Math.floor(rng.next() ** 2 * changed.length)] as number);
  }
  const events = shuffle(reported).map((itemId): StormEvent => {
    const item = byId.get(itemId);
    if (!item) throw new Error(`bench workload: item ${itemId} is not in the dataset`);
    return { type: 'item.updated', itemId, projectId: item.project, documentKey: item.documentKey };
  });

  const pages = (n: number) => Math.ceil(n / 50);
  const floorCalls = 1 + pages(o.changedItems) + o.projects * pages(o.itemsPerProject);
  return {
    options: o,
    simulator: {
      seed: o.seed,
      projects: o.projects,
      itemsPerProject: o.itemsPerProject,
      rateLimit: o.rateLimit,
      latencyMs: { fixed: o.latencyMs.min, jitter: o.latencyMs.max - o.latencyMs.min },
    },
    projectIds: dataset.projects.map((p) => p.id),
    itemIds: dataset.items.map((item) => item.id),
    changed,
    events,
    applyEdits(simulator) {
      for (const id of changed) {
        const name = String(byId.get(id)?.fields.name ?? id);
        simulator.updateItem(id, { name: `${name} (edited, bench seed ${o.seed})` });
      }
    },
    floorCalls,
    floorSeconds: floorCalls / o.rateLimit,
  };
}

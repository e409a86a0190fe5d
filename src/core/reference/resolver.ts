import type { Clock } from '../clock';
import type { ReferenceReader, ReferenceStore } from '../ports/reference-data';
import type { ReferenceList } from './lists';
import type { CachedList } from './model';

export interface ReferenceResolverOptions {
  /** The reader of an environment (its Jama client); undefined for an unknown environment. */
  reader(env: string): ReferenceReader | undefined;
  /** The cache every Lambda shares (the state table). */
  store: ReferenceStore;
  clock: Clock;
  /** How long a list is trusted. @default 900000 (15 minutes) */
  ttlMs?: number;
  /**
   * A list read from Jama less than this long ago is not read again for an unknown id or name, so a
   * run full of one deleted user's id costs one refresh, not one per item. @default 30000
   */
  minRefreshMs?: number;
}

interface Held {
  list: CachedList;
  /** Entries by id, built once per list. */
  byId: Map<number, unknown>;
}

/**
 * Reference data (item types, pick-list options, users, projects) per Jama environment, read once
 * and shared: a list is looked for in memory, then in the shared store, and only then read from
 * Jama (one read at a time per list, however many callers wait for it), kept for `ttlMs`. A look-up
 * that misses refreshes the list once before giving up — unless it was read moments ago.
 *
 * Both directions use it: write-back turns field labels, option names and usernames into Jama's keys
 * and ids (`./write-values`), and the sinks' records gain readable names (`./readable`).
 *
 * @example
 * const resolver = new ReferenceResolver({ reader: (env) => readers.get(env), store, clock });
 * const type = await resolver.byId('prod', itemTypes, 89);
 */
export class ReferenceResolver {
  private readonly held = new Map<string, Held>();
  private readonly loading = new Map<string, Promise<Held>>();
  private readonly ttlMs: number;
  private readonly minRefreshMs: number;

  constructor(private readonly options: ReferenceResolverOptions) {
    this.ttlMs = options.ttlMs ?? 900_000;
    this.minRefreshMs = options.minRefreshMs ?? 30_000;
    if (!(this.ttlMs > 0))
      throw new TypeError(`Expected \`ttlMs\` to be a number > 0, got \`${this.ttlMs}\``);
  }

  /** Every entry of a list. */
  async all<T extends { id: number }>(env: string, list: ReferenceList<T>): Promise<T[]> {
    return (await this.get(env, list, false)).list.entries as T[];
  }

  /** The entry with `id`; an unknown id refreshes the list once. */
  async byId<T extends { id: number }>(
    env: string,
    list: ReferenceList<T>,
    id: number,
  ): Promise<T | undefined> {
    return this.find(env, list, (held) => held.byId.get(id) as T | undefined);
  }

  /**
   * The first non-undefined answer of `pick` over the list; when it finds nothing, the list is
   * refreshed once and asked again.
   */
  async find<T extends { id: number }, R>(
    env: string,
    list: ReferenceList<T>,
    pick: (held: { entries: T[]; byId: Map<number, unknown> }) => R | undefined,
  ): Promise<R | undefined> {
    const ask = (held: Held) => pick({ entries: held.list.entries as T[], byId: held.byId });
    const held = await this.get(env, list, false);
    const found = ask(held);
    if (found !== undefined || this.now() - held.list.fetchedAt < this.minRefreshMs) return found;
    return ask(await this.get(env, list, true));
  }

  private now(): number {
    return this.options.clock.now();
  }

  private async get<T extends { id: number }>(
    env: string,
    list: ReferenceList<T>,
    refresh: boolean,
  ): Promise<Held> {
    const key = `${env}#${list.key}`;
    const held = this.held.get(key);
    if (!refresh && held && this.now() < held.list.fetchedAt + this.ttlMs) return held;
    const running = this.loading.get(key);
    if (running) return running;
    const load = this.load(env, list, refresh).finally(() => this.loading.delete(key));
    this.loading.set(key, load);
    const loaded = await load;
    this.held.set(key, loaded);
    return loaded;
  }

  private async load<T extends { id: number }>(
    env: string,
    list: ReferenceList<T>,
    refresh: boolean,
  ): Promise<Held> {
    const now = this.now();
    if (!refresh) {
      const shared = await this.options.store.get(env, list.key).catch(() => undefined);
      if (shared && now < shared.fetchedAt + this.ttlMs) return index(shared);
    }
    const reader = this.options.reader(env);
    if (!reader) throw new RangeError(`No Jama environment \`${env}\` to read ${list.key} from`);
    const entries = (await list.load(reader)).map((entry) => list.keep(entry));
    const fresh: CachedList = { fetchedAt: this.now(), entries };
    // Sharing is an optimisation: a failed write costs other Lambdas one read each, nothing more.
    await this.options.store.put(env, list.key, fresh, fresh.fetchedAt + this.ttlMs).catch(() => undefined);
    return index(fresh);
  }
}

function index(list: CachedList): Held {
  return { list, byId: new Map(list.entries.map((e) => [(e as { id: number }).id, e])) };
}

import { formatJamaDate, parseJamaDate } from '../../src/core/jama-date';
import { JamaNotFoundError } from '../../src/core/jama-errors';
import type { JamaItem, Page, PatchOperation } from '../../src/core/jama-types';
import type { JobInput } from '../../src/core/jobs';
import type { AbstractItemsQuery, JamaApi } from '../../src/core/ports/jama-api';
import type { JobQueue } from '../../src/core/ports/job-queue';
import type { IndexEntry, ItemIndex, Sink, SinkRecord, SinkWriteResult } from '../../src/core/ports/sink';
import { FakeClock } from './fake-clock';

/** A small Jama item factory. */
export function item(id: number, overrides: Partial<JamaItem> & { at?: number } = {}): JamaItem {
  const at = formatJamaDate(overrides.at ?? Date.UTC(2025, 0, 1) + id * 1000);
  return {
    id,
    documentKey: `P-REQ-${id}`,
    project: 20,
    itemType: 24,
    modifiedDate: at,
    lastActivityDate: at,
    fields: { name: `Item ${id}` },
    ...overrides,
  };
}

type FailWith = (call: string, args: unknown) => Error | undefined;

/** An in-memory JamaApi that records every call; `failWith` injects errors per call. */
export class FakeJama implements JamaApi {
  readonly calls: { call: string; args: unknown }[] = [];
  readonly items = new Map<number, JamaItem>();
  failWith: FailWith = () => undefined;

  constructor(items: JamaItem[] = []) {
    for (const i of items) this.items.set(i.id, i);
  }

  private record(call: string, args: unknown) {
    this.calls.push({ call, args });
    const error = this.failWith(call, args);
    if (error) throw error;
  }

  count(call: string): number {
    return this.calls.filter((c) => c.call === call).length;
  }

  async getItem(id: number): Promise<JamaItem> {
    this.record('getItem', id);
    const found = this.items.get(id);
    if (!found) throw new JamaNotFoundError({ method: 'GET', path: `/rest/v1/items/${id}`, status: 404 });
    return structuredClone(found);
  }

  async getItemsByDocumentKeys(keys: readonly string[]): Promise<JamaItem[]> {
    this.record('getItemsByDocumentKeys', keys);
    return [...this.items.values()]
      .filter((i) => keys.includes(i.documentKey))
      .map((i) => structuredClone(i));
  }

  async searchAbstractItems(query: AbstractItemsQuery): Promise<Page<JamaItem>> {
    this.record('searchAbstractItems', query);
    const [from, to] = query.lastActivityDate ?? [0];
    const matching = [...this.items.values()]
      .filter((i) => !query.project || query.project.includes(i.project))
      .filter((i) => {
        const t = parseJamaDate(i.lastActivityDate ?? i.modifiedDate);
        return t >= from && (to === undefined || t <= to);
      })
      .sort(
        (a, b) =>
          parseJamaDate(a.lastActivityDate ?? '') - parseJamaDate(b.lastActivityDate ?? '') || a.id - b.id,
      );
    const startAt = query.startAt ?? 0;
    const data = matching.slice(startAt, startAt + (query.maxResults ?? 20));
    return { startIndex: startAt, resultCount: data.length, totalResults: matching.length, data };
  }

  /** Writes made through this API count as this user's (the integration's own, as in Jama). */
  user = 50;

  async patchItem(id: number, ops: readonly PatchOperation[]): Promise<void> {
    this.record('patchItem', { id, ops });
    const found = this.items.get(id);
    if (!found) throw new JamaNotFoundError({ method: 'PATCH', path: `/rest/v1/items/${id}`, status: 404 });
    for (const op of ops) {
      const name = op.path.slice('/fields/'.length);
      if (op.op === 'remove') delete found.fields[name];
      else found.fields[name] = op.value;
    }
    // As Jama: a write moves modifiedDate on and records who made it.
    found.modifiedDate = formatJamaDate(parseJamaDate(found.modifiedDate) + 1);
    found.modifiedBy = this.user;
  }

  asApi(): JamaApi {
    return this;
  }
}

/** A sink that keeps the newest version per item, like the mirror, and can be told to fail. */
export class MemorySink implements Sink, ItemIndex {
  readonly name = 'memory';
  readonly rows = new Map<string, SinkRecord>();
  writes = 0;
  fail: ((record: SinkRecord) => boolean) | undefined;

  async write(env: string, records: SinkRecord[]): Promise<SinkWriteResult[]> {
    return records.map((r) => {
      this.writes++;
      if (this.fail?.(r)) return { itemId: r.itemId, status: 'failed', error: new Error('sink down') };
      const key = `${env}/${r.itemId}`;
      const existing = this.rows.get(key);
      if (existing && !supersedes(r, existing)) return { itemId: r.itemId, status: 'stale' };
      this.rows.set(key, r);
      return { itemId: r.itemId, status: 'written' };
    });
  }

  async documentKeys(env: string, ids: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const [id, entry] of await this.lookup(env, ids))
      if (entry.documentKey) out.set(id, entry.documentKey);
    return out;
  }

  async lookup(env: string, ids: number[]): Promise<Map<number, IndexEntry>> {
    const out = new Map<number, IndexEntry>();
    for (const id of ids) {
      const r = this.rows.get(`${env}/${id}`);
      if (r?.kind === 'item') out.set(id, { documentKey: r.documentKey, deleted: false });
      else if (r) out.set(id, { deleted: true });
    }
    return out;
  }
}

/** The mirror's rule (src/adapters/mirror-sink.ts): versions within a kind, observations across kinds. */
function supersedes(next: SinkRecord, existing: SinkRecord): boolean {
  const version = (r: SinkRecord) => (r.kind === 'item' ? r.modifiedAt : r.deletedAt);
  if (next.kind === existing.kind || next.observedAt === undefined) return version(next) >= version(existing);
  if (next.kind === 'item') return existing.observedAt === undefined || next.observedAt > existing.observedAt;
  return existing.observedAt === undefined
    ? version(existing) <= version(next)
    : existing.observedAt <= next.observedAt;
}

export class MemoryQueue implements JobQueue {
  readonly sent: { job: JobInput; delaySeconds?: number }[] = [];
  async send(jobs: JobInput[], options: { delaySeconds?: number } = {}): Promise<void> {
    for (const job of jobs) this.sent.push({ job, ...options });
  }
}

export { FakeClock };

import type {
  ClaimRequest,
  ClaimResult,
  CursorKey,
  RunCursor,
  RunCursorStore,
  RunRecord,
  SlicePosition,
} from './cursor';
import { judge, newCursor } from './cursor';

interface Held extends RunCursor {
  owner?: string | undefined;
  leaseUntil: number;
  prevToken?: string | undefined;
}

const id = (k: Omit<CursorKey, 'slice'> & { slice?: number }) =>
  `${k.env}#${k.projectId}#${k.kind}#${k.runId}${k.slice === undefined ? '' : `#${k.slice}`}`;

/**
 * {@link RunCursorStore} in this process, with the rules of the DynamoDB one
 * (src/adapters/run-cursors.ts): for unit tests and single-process use.
 */
export class InMemoryRunCursorStore implements RunCursorStore {
  readonly cursors = new Map<string, Held>();
  readonly runs = new Map<string, RunRecord & { newestBy: Map<number, number> }>();

  async claim(r: ClaimRequest): Promise<ClaimResult> {
    const held = this.cursors.get(id(r.key));
    if (!held) {
      const cursor: Held = { ...newCursor(r), owner: r.owner, leaseUntil: r.now + r.leaseMs };
      this.cursors.set(id(r.key), cursor);
      return { ok: true, cursor: strip(cursor) };
    }
    const verdict = judge(held, r);
    if (verdict.ok) {
      Object.assign(held, { owner: r.owner, leaseUntil: r.now + r.leaseMs, token: r.token });
      return { ok: true, cursor: strip(held) };
    }
    return verdict;
  }

  async advance(key: CursorKey, owner: string, position: SlicePosition, now: number, leaseMs: number) {
    const held = this.cursors.get(id(key));
    if (!held || held.owner !== owner || held.done) return false;
    Object.assign(held, position, { advancedAt: now, leaseUntil: now + leaseMs });
    return true;
  }

  async handBack(key: CursorKey, owner: string, nextToken: string, now: number) {
    const held = this.cursors.get(id(key));
    if (!held || held.owner !== owner) return false;
    Object.assign(held, { prevToken: held.token, token: nextToken, owner: undefined, leaseUntil: now });
    return true;
  }

  async release(key: CursorKey, owner: string) {
    const held = this.cursors.get(id(key));
    if (held?.owner === owner) Object.assign(held, { owner: undefined, leaseUntil: 0 });
  }

  async finish(key: CursorKey, owner: string, position: SlicePosition, now: number) {
    const held = this.cursors.get(id(key));
    if (!held || held.owner !== owner) return false;
    Object.assign(held, position, { done: true, advancedAt: now, owner: undefined, leaseUntil: 0 });
    return true;
  }

  async create(cursors: readonly { key: CursorKey; token: string; position: SlicePosition }[], now: number) {
    for (const c of cursors) {
      if (this.cursors.has(id(c.key))) continue;
      this.cursors.set(id(c.key), {
        ...c.position,
        key: c.key,
        token: c.token,
        done: false,
        advancedAt: now,
        leaseUntil: 0,
      });
    }
  }

  async createRun(record: RunRecord) {
    const existing = this.runs.get(id(record.key));
    if (existing) return view(existing);
    this.runs.set(id(record.key), { ...record, doneSlices: [], newestBy: new Map() });
    return view(this.runs.get(id(record.key)) as RunRecord & { newestBy: Map<number, number> });
  }

  async run(key: Omit<CursorKey, 'slice'>) {
    const r = this.runs.get(id(key));
    return r ? view(r) : undefined;
  }

  async sliceDone(key: CursorKey, newest: number | undefined) {
    const { slice, ...runKey } = key;
    const r = this.runs.get(id(runKey));
    if (!r) return undefined;
    if (!r.doneSlices.includes(slice)) r.doneSlices.push(slice);
    if (newest !== undefined) r.newestBy.set(slice, newest);
    return view(r);
  }

  async read(key: CursorKey) {
    const held = this.cursors.get(id(key));
    return held ? strip(held) : undefined;
  }
}

function strip(held: Held): RunCursor {
  const { owner: _o, leaseUntil: _l, prevToken: _p, ...cursor } = held;
  return { ...cursor };
}

function view(r: RunRecord & { newestBy: Map<number, number> }): RunRecord {
  const { newestBy, ...record } = r;
  const newest = newestBy.size > 0 ? Math.max(...newestBy.values()) : undefined;
  return { ...record, doneSlices: [...record.doneSlices], newest };
}

import { parseJamaDate } from '../../src/core/jama-date';
import type { JobInput } from '../../src/core/jobs';
import { createRng } from '../../src/simulator/prng';
import type { JamaItem, JamaSimulator } from '../../src/simulator/server';

/** A native webhook event (docs/webhooks.md). */
export type WebhookEvent =
  | { type: 'item.updated'; itemId: number; documentKey?: string; occurredAt?: number }
  | { type: 'item.deleted'; itemId: number; occurredAt?: number }
  | { type: 'item.push'; itemId: number; fields: Record<string, unknown>; occurredAt?: number };

export interface EventDriverOptions {
  simulator: JamaSimulator;
  /** POSTs a signed body to the webhook source; resolves with the status. */
  post(payload: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Sends jobs straight to the queue, as an at-least-once duplicate would arrive. */
  enqueue(jobs: JobInput[]): Promise<void>;
  random: () => number;
}

/** A seeded PRNG (the simulator's mulberry32), so a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  return createRng(seed).next;
}

/**
 * Changes items in the simulated Jama and tells the pipeline through the signed webhook, the way
 * real senders misbehave: each event sent one to three times in different requests, a later
 * change's event delivered before the earlier one, a delete delivered before the update that
 * preceded it, pushes (a few of them invalid, so they must end in the DLQ with a reason), and
 * pull jobs put on the queue twice behind the webhook's back.
 */
export class EventDriver {
  /** Items an accepted event named. */
  readonly accepted = new Set<number>();
  /** Items that got an invalid push (a field the item type does not have). */
  readonly poisoned = new Set<number>();
  /** Old states of items, each superseded by a later change (for the rogue writers). */
  readonly snapshots: JamaItem[] = [];
  readonly counts = {
    rounds: 0,
    requests: 0,
    events: 0,
    changes: 0,
    outOfOrder: 0,
    deletes: 0,
    pushes: 0,
    poison: 0,
    queueDuplicates: 0,
    retried: 0,
  };

  constructor(private readonly options: EventDriverOptions) {}

  /**
   * Changes `n` random live items and delivers their events, late ones first. Each round has one
   * delete and one push (and every fifth round an invalid push): those cost Jama calls one item at a
   * time, so they stay few whatever the scale, while updates are fetched 50 per call.
   */
  async round(n: number): Promise<void> {
    const { simulator, random } = this.options;
    const round = ++this.counts.rounds;
    const live = simulator.items();
    const picked = new Set<JamaItem>();
    while (picked.size < Math.min(n, live.length))
      picked.add(live[Math.floor(random() * live.length)] as JamaItem);
    const first: WebhookEvent[] = [];
    const second: WebhookEvent[] = [];
    const either = (e: WebhookEvent) => (random() < 0.5 ? first : second).push(e);
    const duplicates: JobInput[] = [];
    for (const [i, item] of [...picked].entries()) {
      if (i === 0) {
        // Out of order: the delete is delivered before the update that preceded it.
        const update = this.update(item.id);
        first.push(this.delete(item.id));
        second.push(update);
        this.counts.deletes++;
        this.counts.outOfOrder++;
      } else if (i === 1) {
        const guarded = random() < 0.5 ? { occurredAt: Date.now() } : {};
        either({ type: 'item.push', itemId: item.id, fields: { name: `pushed ${random()}` }, ...guarded });
        this.counts.pushes++;
      } else if (i === 2 && round % 5 === 0) {
        either({ type: 'item.push', itemId: item.id, fields: { no_such_field: 'x' } });
        this.poisoned.add(item.id);
        this.counts.poison++;
      } else if (random() < 0.7) either(this.update(item.id));
      else {
        // Out of order: the second change's event is delivered before the first's.
        const earlier = this.update(item.id);
        first.push(this.update(item.id));
        second.push(earlier);
        this.counts.outOfOrder++;
      }
      if (random() < 0.1) {
        const job: JobInput = {
          v: 1,
          env: 'default',
          kind: 'pull',
          itemId: item.id,
          documentKey: item.documentKey,
        };
        duplicates.push(job, job);
        this.counts.queueDuplicates++;
      }
    }
    await this.deliver(this.withCopies(first));
    await this.deliver(this.withCopies(second));
    if (duplicates.length) await this.options.enqueue(duplicates);
  }

  private update(id: number): WebhookEvent {
    const { simulator, random } = this.options;
    this.snapshots.push(simulator.getItem(id) as JamaItem);
    const changed = simulator.updateItem(id, { name: `change ${++this.counts.changes} of ${id}` });
    const keyed = random() < 0.5 ? { documentKey: changed.documentKey } : {};
    return { type: 'item.updated', itemId: id, ...keyed, occurredAt: Date.now() };
  }

  private delete(id: number): WebhookEvent {
    const { simulator } = this.options;
    const before = simulator.getItem(id) as JamaItem;
    simulator.deleteItem(id);
    // Never earlier than the item's last change, whatever the simulator's ms bumps did.
    const occurredAt = Math.max(Date.now(), parseJamaDate(before.modifiedDate) + 1);
    return { type: 'item.deleted', itemId: id, occurredAt };
  }

  /** Each event one to three times, shuffled. */
  private withCopies(events: WebhookEvent[]): WebhookEvent[] {
    const { random } = this.options;
    const out = events.flatMap((e) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => e));
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j] as WebhookEvent, out[i] as WebhookEvent];
    }
    return out;
  }

  /** Requests of 1–25 events, three senders at once; a 5xx or network error is retried, as senders do. */
  private async deliver(events: WebhookEvent[]): Promise<void> {
    const requests: WebhookEvent[][] = [];
    for (let at = 0; at < events.length; ) {
      const size = 1 + Math.floor(this.options.random() * 25);
      requests.push(events.slice(at, at + size));
      at += size;
    }
    const send = async () => {
      for (let next = requests.shift(); next; next = requests.shift()) await this.post(next);
    };
    await Promise.all([send(), send(), send()]);
  }

  private async post(events: WebhookEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.options
        .post({ events })
        .catch((error: Error) => ({ status: 0, body: { error } }));
      if (res.status === 202) {
        this.counts.requests++;
        this.counts.events += events.length;
        for (const e of events) this.accepted.add(e.itemId);
        return;
      }
      if ((res.status !== 0 && res.status < 500) || attempt >= 5) {
        throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      this.counts.retried++;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

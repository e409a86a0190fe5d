import { chunk } from '../core/chunk';
import { OpsError } from '../ops/errors';
import type { JamaItem, JamaSimulator } from '../simulator/server';
import { type KnownSource, postSigned } from './local-webhook';

/** Events per webhook request, and requests in flight at once, in the demo's burst. */
const EVENTS_PER_REQUEST = 20;
const PARALLEL_REQUESTS = 4;

export interface BurstResult {
  requests: number;
  events: number;
  edited: number;
  deleted: number;
  /** Links created and retyped, announced as relationship events. */
  linked: number;
  relinked: number;
}

type NativeEvent = Record<string, unknown>;

/**
 * The demo's webhook burst: edits and deletes some simulated items, then announces them as a
 * sender would — signed `POST /webhooks/<source>` requests to the local webhook, over HTTP. A third
 * of the updates are announced twice, in different requests, as senders do; the webhook coalesces
 * them into one pull. Throws if any request is not answered 202.
 */
export async function webhookBurst(
  sim: JamaSimulator,
  url: string,
  source: KnownSource,
): Promise<BurstResult> {
  const items = sim.items();
  const edited = items.filter((_, i) => i % 10 === 0).map((it) => sim.updateItem(it.id, renamed(it)));
  const deleted = items.filter((_, i) => i % 37 === 5);
  for (const item of deleted) sim.deleteItem(item.id);
  const now = Date.now();
  const updates: NativeEvent[] = edited.map((it, i) => ({
    type: 'item.updated',
    itemId: it.id,
    projectId: it.project,
    // Half the senders know the documentKey, which lets the worker fetch 50 items per call.
    ...(i % 2 === 0 ? { documentKey: it.documentKey } : {}),
    occurredAt: now,
  }));
  const deletes: NativeEvent[] = deleted.map((it) => ({
    type: 'item.deleted',
    itemId: it.id,
    occurredAt: now,
  }));
  const duplicates = updates.filter((_, i) => i % 3 === 0);
  const links = relationshipChanges(sim);
  const relationshipEvents: NativeEvent[] = [
    ...links.linked.map((r) => ({
      type: 'relationship.created',
      relationshipId: r.id,
      fromItem: r.fromItem,
      toItem: r.toItem,
    })),
    ...links.relinked.map((r) => ({ type: 'relationship.updated', relationshipId: r.id })),
  ];
  const requests = [
    ...chunk([...updates, ...deletes, ...relationshipEvents], EVENTS_PER_REQUEST),
    ...chunk(duplicates, EVENTS_PER_REQUEST),
  ];
  for (const group of chunk(requests, PARALLEL_REQUESTS)) {
    await Promise.all(
      group.map(async (events) => {
        const answer = await postSigned(url, source, { events });
        if (answer.status !== 202) {
          throw new OpsError(
            'OPERATION_FAILED',
            `the local webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`,
          );
        }
      }),
    );
  }
  return {
    requests: requests.length,
    events: requests.reduce((sum, r) => sum + r.length, 0),
    edited: edited.length,
    deleted: deleted.length,
    linked: links.linked.length,
    relinked: links.relinked.length,
  };
}

/** Links a few pairs of items of one project and retypes a few existing links (to "Verified by"). */
function relationshipChanges(sim: JamaSimulator) {
  const items = sim.items();
  const pairs = items
    .filter((_, i) => i % 50 === 1)
    .flatMap((from) => {
      const to = items.find((it) => it.project === from.project && it.id < from.id);
      return to ? [[from.id, to.id] as const] : [];
    });
  const linked = pairs.map(([from, to]) => sim.link(from, to, VERIFIED_BY));
  const relinked = sim
    .relationships()
    .filter((r, i) => i % 80 === 2 && r.relationshipType !== VERIFIED_BY)
    .map((r) => sim.relink(r.id, { relationshipType: VERIFIED_BY }));
  return { linked, relinked };
}

/** The simulator's "Verified by" relationship type. */
const VERIFIED_BY = 5;

export interface SilentChanges {
  edited: number;
  deleted: number;
  created: number;
  /** Links retyped and removed with no event. */
  relinked: number;
  unlinked: number;
}

/**
 * Changes nobody announces — a lost delivery, a change made while the webhook was down: edits,
 * deletes, a new item per project, a retyped (suspect) and a removed link here and there. Only
 * reconciliation can find them.
 */
export function silentChanges(sim: JamaSimulator): SilentChanges {
  const items = sim.items();
  const edited = items.filter((_, i) => i % 13 === 7);
  for (const item of edited) sim.updateItem(item.id, renamed(item));
  const deleted = items.filter((_, i) => i % 41 === 3 && i % 13 !== 7);
  for (const item of deleted) sim.deleteItem(item.id);
  const byProject = new Map<number, JamaItem>();
  for (const item of items) if (!byProject.has(item.project)) byProject.set(item.project, item);
  for (const [project, sample] of byProject) {
    sim.createItem({
      project,
      itemType: sample.itemType,
      fields: { name: 'Created while no one was listening' },
    });
  }
  const links = sim.relationships();
  const relinked = links
    .filter((_, i) => i % 60 === 11)
    .map((r) => sim.relink(r.id, { suspect: !r.suspect }));
  const unlinked = links.filter((_, i) => i % 120 === 29);
  for (const r of unlinked) sim.unlink(r.id);
  return {
    edited: edited.length,
    deleted: deleted.length,
    created: byProject.size,
    relinked: relinked.length,
    unlinked: unlinked.length,
  };
}

function renamed(item: JamaItem): Record<string, unknown> {
  return { name: `${String(item.fields.name ?? 'Item')} (edited)` };
}

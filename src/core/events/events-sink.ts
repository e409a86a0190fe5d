import { SinkError } from '../errors';
import type { ChangeEventPublisher } from '../ports/change-event-publisher';
import type { Sink, SinkRecord, SinkWriteResult } from '../ports/sink';
import type { RelationshipRecord, RelationshipSink, RelationshipWriteResult } from '../relationships/records';
import { type ChangeEvent, itemChangeEvent, relationshipChangeEvent } from './change-events';

/**
 * The mirror with change events: every record the mirror actually changed becomes an event built
 * from the row it replaced (`Jama Item Changed` with the changed fields' before/after, `Jama Item
 * Deleted`, `Jama Relationship Changed`). Stale and same-version writes publish nothing, so an
 * event means a real change.
 */
export class ChangeEventSink implements Sink, RelationshipSink {
  readonly name: string;

  constructor(
    private readonly mirror: Sink & RelationshipSink,
    private readonly publisher: ChangeEventPublisher,
  ) {
    this.name = mirror.name;
  }

  async write(env: string, records: SinkRecord[]): Promise<SinkWriteResult[]> {
    const results = await this.mirror.write(env, records);
    const events = results.flatMap((r, i) => {
      const record = records[i];
      if (r.status !== 'written' || !record) return [];
      return itemChangeEvent(env, record, r.previous) ?? [];
    });
    return this.publishOrFail(events, results, (r) => ({ itemId: r.itemId, status: 'failed' as const }));
  }

  async writeRelationships(env: string, records: RelationshipRecord[]): Promise<RelationshipWriteResult[]> {
    const results = await this.mirror.writeRelationships(env, records);
    const events = results.flatMap((r, i) => {
      const record = records[i];
      if (r.status !== 'written' || !record) return [];
      return relationshipChangeEvent(env, record, r.previous) ?? [];
    });
    return this.publishOrFail(events, results, (r) => ({
      relationshipId: r.relationshipId,
      status: 'failed' as const,
    }));
  }

  private async publishOrFail<R extends { status: string }>(
    events: ChangeEvent[],
    results: R[],
    failed: (r: R) => Omit<R, 'status'> & { status: 'failed' },
  ): Promise<R[]> {
    if (events.length === 0) return results;
    try {
      await this.publisher.publish(events);
      return results;
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new SinkError(String(thrown));
      return results.map((r) => (r.status === 'written' ? ({ ...failed(r), error } as unknown as R) : r));
    }
  }
}

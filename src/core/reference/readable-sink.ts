import type { Sink, SinkRecord } from '../ports/sink';
import { keepsRelationships, type RelationshipRecord } from '../relationships/records';
import { annotateItems } from './readable';
import type { ReferenceResolver } from './resolver';

/**
 * The sinks, each handed records that carry readable names and echo marks ({@link annotateItems}).
 * The sinks of one write share one annotation (keyed by the records array), so a page costs its
 * reference look-ups once. Names are best effort: when Jama cannot serve a reference list right
 * now, the records are written with the names that could be found (Jama's ids are always there),
 * so a hiccup in reference data never holds back or retries the items themselves.
 */
export function withReadableValues(sinks: readonly Sink[], resolver: ReferenceResolver): Sink[] {
  const annotated = new WeakMap<SinkRecord[], Promise<SinkRecord[]>>();
  const annotate = (env: string, records: SinkRecord[]) => {
    let done = annotated.get(records);
    if (!done) {
      done = annotateRecords(env, records, resolver);
      annotated.set(records, done);
    }
    return done;
  };
  return sinks.map((sink) => ({
    name: sink.name,
    write: async (env, records) => sink.write(env, await annotate(env, records)),
    // Relationship rows pass through as they are (they carry their type's name already).
    ...(keepsRelationships(sink)
      ? {
          writeRelationships: (env: string, records: RelationshipRecord[]) =>
            sink.writeRelationships(env, records),
        }
      : {}),
  }));
}

async function annotateRecords(env: string, records: SinkRecord[], resolver: ReferenceResolver) {
  const items = records.flatMap((r) => (r.kind === 'item' ? [r] : []));
  if (items.length === 0) return records;
  const notes = await annotateItems(
    env,
    items.map((r) => r.item),
    resolver,
  );
  const byRecord = new Map(items.map((r, i) => [r, notes[i]]));
  return records.map((r) => {
    const note = byRecord.get(r as never);
    return r.kind === 'item' && note ? { ...r, ...note } : r;
  });
}

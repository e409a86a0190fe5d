import { SinkError } from '../errors';
import type { JamaRelationship } from './types';

/** What a sink receives about one relationship: its current state, or the fact that it is gone. */
export type RelationshipRecord =
  | {
      kind: 'relationship';
      relationshipId: number;
      /** The project of its `fromItem`, when known (the full sweep selects a project's rows by it). */
      projectId?: number;
      /**
       * When it was read from Jama (epoch ms). Relationships carry no modifiedDate, so the read time
       * is their version: a slower, older read never replaces a newer one.
       */
      observedAt: number;
      relationship: JamaRelationship;
      /** The type's name from `/relationshiptypes`, when known. */
      relationshipTypeName?: string;
      /** Id of the full reconciliation run that saw it (mark-and-sweep); absent otherwise. */
      seenRun?: string;
    }
  | { kind: 'relationship-tombstone'; relationshipId: number; projectId?: number; deletedAt: number };

/** A relationship's state before a write, as the mirror held it (for change events). */
export interface PreviousRelationship {
  deleted: boolean;
  relationship?: JamaRelationship;
  relationshipTypeName?: string;
}

/** Per-record result of a relationship write; `stale` means a newer version was already there. */
export type RelationshipWriteResult =
  | { relationshipId: number; status: 'written'; previous?: PreviousRelationship | undefined }
  | { relationshipId: number; status: 'stale' }
  | { relationshipId: number; status: 'failed'; error: Error };

/** A sink that keeps relationships too (the mirror, the forward sink, change events). */
export interface RelationshipSink {
  readonly name: string;
  writeRelationships(env: string, records: RelationshipRecord[]): Promise<RelationshipWriteResult[]>;
}

/** Answers item → project from what was synced before (a relationship read by id names no project). */
export interface ItemProjects {
  projectIds(env: string, itemIds: number[]): Promise<Map<number, number>>;
}

/** A relationship mirror row a full run did not see. */
export interface RelationshipSweepSource {
  /** Live relationship rows of the project whose last full-run mark is not `runId`. */
  unseenRelationships(env: string, projectId: number, runId: string): AsyncIterable<number>;
}

/**
 * The scope of relationships' pending-pull markers: the webhook's markers are per environment and
 * id, so relationships take a scope of their own (`<env>#relationships`; environment names cannot
 * hold `#`) and never collide with an item of the same id.
 */
export function relationshipMarkerScope(env: string): string {
  return `${env}#relationships`;
}

/** True if the sink keeps relationships. */
export function keepsRelationships(sink: object): sink is RelationshipSink {
  return typeof (sink as Partial<RelationshipSink>).writeRelationships === 'function';
}

/** Writes to every sink that keeps relationships; returns the relationships any sink failed to take. */
export async function writeRelationshipSinks(
  sinks: readonly object[],
  env: string,
  records: RelationshipRecord[],
): Promise<Map<number, Error>> {
  const failures = new Map<number, Error>();
  if (records.length === 0) return failures;
  const results = await Promise.all(
    sinks.filter(keepsRelationships).map((sink) =>
      sink.writeRelationships(env, records).catch((thrown: unknown): RelationshipWriteResult[] => {
        const error =
          thrown instanceof Error ? thrown : new SinkError(`sink ${sink.name} failed: ${String(thrown)}`);
        return records.map((r) => ({ relationshipId: r.relationshipId, status: 'failed', error }));
      }),
    ),
  );
  for (const perSink of results)
    for (const r of perSink)
      if (r.status === 'failed' && !failures.has(r.relationshipId)) failures.set(r.relationshipId, r.error);
  return failures;
}

import type { PreviousItem, SinkRecord } from '../ports/sink';
import type { PreviousRelationship, RelationshipRecord } from '../relationships/records';
import type { JamaRelationship } from '../relationships/types';

/** The `source` of every event jama-sync publishes. */
export const EVENT_SOURCE = 'jama-sync';

export type ChangeDetailType = 'Jama Item Changed' | 'Jama Item Deleted' | 'Jama Relationship Changed';

/** One changed value; `before`/`after` are absent when the value was or became absent. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** An event as published (docs/events.md is the schema). */
export interface ChangeEvent {
  detailType: ChangeDetailType;
  detail: Record<string, unknown> & { env: string };
}

/** Largest detail kept with values; past it the event names the fields without their values. */
export const MAX_DETAIL_BYTES = 200 * 1024;

/**
 * The event for an item record written over `previous` (undefined: the mirror had no row), or
 * undefined when nothing a reader sees changed — a re-sync of the same version writes no event.
 * `Jama Item Changed` carries every changed field of `item.fields` with before/after.
 */
export function itemChangeEvent(
  env: string,
  record: SinkRecord,
  previous: PreviousItem | undefined,
): ChangeEvent | undefined {
  if (record.kind === 'tombstone') {
    if (!previous || previous.deleted) return undefined;
    const item = previous.item;
    return {
      detailType: 'Jama Item Deleted',
      detail: {
        env,
        ...(item ? { project: item.project, itemType: item.itemType } : {}),
        itemId: record.itemId,
        documentKey: record.documentKey ?? item?.documentKey,
        deletedAt: new Date(record.deletedAt).toISOString(),
      },
    };
  }
  const before = previous && !previous.deleted ? previous.item : undefined;
  const changes = fieldChanges(before?.fields ?? {}, record.item.fields);
  if (before && changes.length === 0) return undefined;
  const { item } = record;
  const detail = {
    env,
    project: item.project,
    itemId: item.id,
    documentKey: item.documentKey,
    itemType: item.itemType,
    change: before ? 'updated' : 'created',
    modifiedDate: item.modifiedDate,
    ...(before ? { previousModifiedDate: before.modifiedDate } : {}),
    ...(item.modifiedBy === undefined ? {} : { modifiedBy: item.modifiedBy }),
    ...('bySync' in record && record.bySync !== undefined ? { bySync: record.bySync } : {}),
    changedFields: changes.map((c) => c.field),
    changes,
  };
  return { detailType: 'Jama Item Changed', detail: withinSizeLimit(detail) };
}

/** The event for a relationship record written over `previous`, or undefined when nothing changed. */
export function relationshipChangeEvent(
  env: string,
  record: RelationshipRecord,
  previous: PreviousRelationship | undefined,
): ChangeEvent | undefined {
  const before = previous && !previous.deleted ? previous.relationship : undefined;
  const after = record.kind === 'relationship' ? record.relationship : undefined;
  if (!before && !after) return undefined;
  const changes = fieldChanges(view(before, previous?.relationshipTypeName), view(after, nameOf(record)));
  if (before && after && changes.length === 0) return undefined;
  const current = after ?? (before as JamaRelationship);
  return {
    detailType: 'Jama Relationship Changed',
    detail: {
      env,
      ...(record.projectId === undefined ? {} : { project: record.projectId }),
      relationshipId: record.relationshipId,
      change: !before ? 'created' : !after ? 'deleted' : 'updated',
      fromItem: current.fromItem,
      toItem: current.toItem,
      relationshipType: current.relationshipType,
      ...((nameOf(record) ?? previous?.relationshipTypeName)
        ? { relationshipTypeName: nameOf(record) ?? previous?.relationshipTypeName }
        : {}),
      changedFields: changes.map((c) => c.field),
      changes,
    },
  };
}

function nameOf(record: RelationshipRecord): string | undefined {
  return record.kind === 'relationship' ? record.relationshipTypeName : undefined;
}

function view(r: JamaRelationship | undefined, typeName: string | undefined): Record<string, unknown> {
  if (!r) return {};
  return {
    fromItem: r.fromItem,
    toItem: r.toItem,
    relationshipType: r.relationshipType,
    ...(typeName === undefined ? {} : { relationshipTypeName: typeName }),
    suspect: r.suspect === true,
  };
}

/** Fields whose values differ (deep, key order ignored), in name order. */
export function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: FieldChange[] = [];
  for (const field of names) {
    const a = before[field];
    const b = after[field];
    if (canonical(a) === canonical(b)) continue;
    changes.push({
      field,
      ...(a === undefined ? {} : { before: a }),
      ...(b === undefined ? {} : { after: b }),
    });
  }
  return changes;
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)),
          )
        : v,
    ) ?? 'undefined'
  );
}

/** An EventBridge entry holds 256 KiB: a detail too large keeps the field names and drops the values. */
function withinSizeLimit<D extends { changes: FieldChange[] }>(detail: D): D & { valuesOmitted?: true } {
  if (new TextEncoder().encode(JSON.stringify(detail)).length <= MAX_DETAIL_BYTES) return detail;
  return { ...detail, changes: detail.changes.map((c) => ({ field: c.field })), valuesOmitted: true };
}

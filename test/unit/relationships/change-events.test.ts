import { relationshipChangeEvent } from '../../../src/core/events/change-events';
import type { RelationshipRecord } from '../../../src/core/relationships/records';

const link = { id: 7, fromItem: 10, toItem: 11, relationshipType: 4, suspect: false };
const record = (over: Partial<typeof link> = {}, name = 'Related to'): RelationshipRecord => ({
  kind: 'relationship',
  relationshipId: 7,
  projectId: 20,
  observedAt: 1,
  relationship: { ...link, ...over },
  relationshipTypeName: name,
});
const previous = { deleted: false, relationship: link, relationshipTypeName: 'Related to' };

describe('Jama Relationship Changed', () => {
  it('a new link is `created` with its ends and type', () => {
    expect(relationshipChangeEvent('prod', record(), undefined)?.detail).toMatchObject({
      env: 'prod',
      project: 20,
      relationshipId: 7,
      change: 'created',
      fromItem: 10,
      toItem: 11,
      relationshipTypeName: 'Related to',
    });
  });

  it('a retype names the changed fields with before/after', () => {
    const event = relationshipChangeEvent('prod', record({ relationshipType: 5 }, 'Verified by'), previous);
    expect(event?.detail).toMatchObject({
      change: 'updated',
      changedFields: ['relationshipType', 'relationshipTypeName'],
      changes: [
        { field: 'relationshipType', before: 4, after: 5 },
        { field: 'relationshipTypeName', before: 'Related to', after: 'Verified by' },
      ],
    });
  });

  it('the same link read again yields no event; a tombstone over a live row is `deleted`, over a tombstone nothing', () => {
    expect(relationshipChangeEvent('prod', record(), previous)).toBeUndefined();
    const gone: RelationshipRecord = { kind: 'relationship-tombstone', relationshipId: 7, deletedAt: 5 };
    expect(relationshipChangeEvent('prod', gone, previous)?.detail).toMatchObject({
      change: 'deleted',
      fromItem: 10,
    });
    expect(relationshipChangeEvent('prod', gone, { deleted: true })).toBeUndefined();
  });
});

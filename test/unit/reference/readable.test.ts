import type { SinkRecord } from '../../../src/core/ports/sink';
import { withReadableValues } from '../../../src/core/reference/readable-sink';
import { itemRecord } from '../../../src/core/worker/pull';
import { FakeClock } from '../../support/fake-clock';
import { item, MemorySink } from '../../support/fakes';
import { pushServices, SELF } from '../../support/reference-fakes';

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const { reference, reader } = pushServices(clock);
  const sinks = [new MemorySink(), new MemorySink()];
  return { reader, sinks, wrapped: withReadableValues(sinks, reference) };
}

const requirement = (id: number, fields: Record<string, unknown>, by = 10) =>
  itemRecord(item(id, { createdBy: 11, modifiedBy: by, fields: { name: `R${id}`, ...fields } }));

describe('readable values in sink records', () => {
  it('puts names beside ids, marks the integration’s own changes, and reads each list once for all sinks', async () => {
    const { reader, sinks, wrapped } = setup();
    const records: SinkRecord[] = [
      requirement(1, { status: 152, priority$24: 160, owner$24: 11 }),
      requirement(2, { status: 150 }, SELF),
      { kind: 'tombstone', itemId: 3, deletedAt: 1 },
    ];
    await Promise.all(wrapped.map((sink) => sink.write('prod', records)));
    for (const sink of sinks) {
      expect(sink.rows.get('prod/1')).toMatchObject({
        modifiedBy: 10,
        bySync: false,
        readable: {
          itemType: 'Requirement',
          project: 'PUMP',
          createdBy: 'Grace Hopper',
          modifiedBy: 'Ada Admin',
          fields: { status: 'Approved', priority$24: 'High', owner$24: 'Grace Hopper' },
        },
      });
      expect(sink.rows.get('prod/2')).toMatchObject({
        bySync: true,
        readable: { modifiedBy: 'Integration jama-sync', fields: { status: 'Draft' } },
      });
      expect(sink.rows.get('prod/3')).toEqual({ kind: 'tombstone', itemId: 3, deletedAt: 1 });
    }
    expect(Object.fromEntries(reader.reads)).toEqual({
      currentUser: 1,
      itemTypes: 1,
      projects: 1,
      users: 1,
      'pickList#88': 1,
      'pickList#89': 1,
    });
  });

  it('keeps the raw id of a value Jama does not know (a list read moments ago is not read again)', async () => {
    const { reader, sinks, wrapped } = setup();
    await wrapped[0]?.write('prod', [requirement(1, { status: 999 }, 77)]);
    expect(sinks[0]?.rows.get('prod/1')).toMatchObject({
      item: { fields: { status: 999 }, modifiedBy: 77 },
      readable: { fields: {} },
    });
    expect(sinks[0]?.rows.get('prod/1')).not.toHaveProperty('readable.modifiedBy');
    expect(reader.reads.get('users')).toBe(1);
  });

  it('writes the items with the names it could find when a reference list cannot be read, asking twice per page', async () => {
    const { reader, sinks, wrapped } = setup();
    let asked = 0;
    reader.users = () => {
      asked++;
      return Promise.reject(new Error('Jama answered 503'));
    };
    const records = [requirement(1, { status: 152, owner$24: 11 }), requirement(2, { owner$24: 10 })];
    expect(await wrapped[0]?.write('prod', records)).toEqual([
      { itemId: 1, status: 'written' },
      { itemId: 2, status: 'written' },
    ]);
    expect(sinks[0]?.rows.get('prod/1')).toMatchObject({
      bySync: false,
      readable: { itemType: 'Requirement', fields: { status: 'Approved' } },
    });
    expect(sinks[0]?.rows.get('prod/1')).not.toHaveProperty('readable.createdBy');
    expect(sinks[0]?.rows.get('prod/1')).not.toHaveProperty('readable.fields.owner$24');
    expect(asked).toBe(2); // tried twice, then given up for this page, not once per item
  });
});

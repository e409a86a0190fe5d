import { formatJamaDate } from '../../../src/core/jama-date';
import type { PushJob } from '../../../src/core/jobs';
import { runPush } from '../../../src/core/worker/push';
import { FakeClock } from '../../support/fake-clock';
import { FakeJama, item } from '../../support/fakes';
import { pushServices, SELF } from '../../support/reference-fakes';

const T0 = Date.UTC(2026, 0, 1);

function setup() {
  const clock = new FakeClock(T0);
  const jama = new FakeJama([item(5, { at: T0 - 60_000, modifiedBy: 10 })]);
  const services = pushServices(clock);
  const push = (job: Partial<PushJob> & { fields: Record<string, unknown> }) => {
    const { fields, ...rest } = job;
    const full: PushJob = {
      v: 1,
      env: 'prod',
      kind: 'push',
      itemId: 5,
      ops: Object.entries(fields).map(([name, value]) => ({ op: 'replace', path: `/fields/${name}`, value })),
      ...rest,
    };
    return runPush(full, { jama: jama.asApi(), ...services, clock });
  };
  const fields = () => jama.items.get(5)?.fields;
  return { clock, jama, services, push, fields };
}

describe('push', () => {
  it('applies a push by labels and option names as keys and ids, in one PATCH', async () => {
    const { jama, push, fields } = setup();
    const result = await push({
      fields: { Priority: 'High', status: 'Approved' },
      occurredAt: T0,
      jobId: 'a',
    });
    expect(result).toEqual({ documentKey: 'P-REQ-5', outcome: { type: 'done', note: 'applied' } });
    expect(fields()).toMatchObject({ priority$24: 160, status: 152 });
    expect(jama.calls.map((c) => c.call)).toEqual(['getItem', 'patchItem']);
  });

  it('skips an older push arriving after a newer one as superseded, and a repeat as a duplicate', async () => {
    const { jama, push, fields } = setup();
    await push({ fields: { status: 'Approved' }, occurredAt: T0 + 2, jobId: 'new' });
    expect((await push({ fields: { status: 'Draft' }, occurredAt: T0 + 1, jobId: 'old' })).outcome).toEqual({
      type: 'done',
      note: 'superseded',
    });
    expect(
      (await push({ fields: { status: 'Approved' }, occurredAt: T0 + 2, jobId: 'new' })).outcome,
    ).toEqual({
      type: 'done',
      note: 'duplicate',
    });
    expect(fields()?.status).toBe(152);
    expect(jama.count('patchItem')).toBe(1);
  });

  it('applies an older push to the fields a newer one did not touch', async () => {
    const { push, fields } = setup();
    await push({ fields: { status: 'Approved' }, occurredAt: T0 + 2, jobId: 'new' });
    await push({ fields: { status: 'Draft', Priority: 'Low' }, occurredAt: T0 + 1, jobId: 'old' });
    expect(fields()).toMatchObject({ status: 152, priority$24: 162 });
  });

  it('applies the later of two pushes in order although the first one moved modifiedDate past it', async () => {
    const { clock, push, fields } = setup();
    await push({ fields: { name: 'In Review' }, occurredAt: T0, ifUnmodifiedSince: T0, jobId: 'a' });
    clock.advance(5000);
    const second = await push({
      fields: { name: 'Done' },
      occurredAt: T0 + 1,
      ifUnmodifiedSince: T0 + 1,
      jobId: 'b',
    });
    expect(second.outcome).toEqual({ type: 'done', note: 'applied' });
    expect(fields()?.name).toBe('Done');
  });

  it('leaves an edit made in Jama by someone else after the push alone (conflict), unless forced', async () => {
    const { jama, push, fields } = setup();
    const edited = jama.items.get(5);
    if (edited) Object.assign(edited, { modifiedDate: formatJamaDate(T0 + 10), modifiedBy: 11 });
    const guarded = await push({
      fields: { name: 'mine' },
      ifUnmodifiedSince: T0,
      acceptedAt: T0,
      jobId: 'g',
    });
    expect(guarded.outcome).toEqual({ type: 'done', note: 'conflict' });
    expect(fields()?.name).toBe('Item 5');
    const forced = await push({ fields: { name: 'mine' }, force: true, acceptedAt: T0 + 1, jobId: 'f' });
    expect(forced.outcome).toEqual({ type: 'done', note: 'applied' });
    expect(jama.items.get(5)).toMatchObject({ modifiedBy: SELF, fields: { name: 'mine' } });
  });

  it('does not PATCH again when a push is retried after its PATCH succeeded but before it was recorded', async () => {
    const { jama, services, push, fields } = setup();
    const commit = services.ledger.commit.bind(services.ledger);
    services.ledger.commit = () => Promise.reject(new Error('worker killed'));
    await expect(push({ fields: { Priority: 'Medium' }, occurredAt: T0, jobId: 'k' })).rejects.toThrow(
      'worker killed',
    );
    services.ledger.commit = commit;
    expect((await push({ fields: { Priority: 'Medium' }, occurredAt: T0, jobId: 'k' })).outcome).toEqual({
      type: 'done',
      note: 'already applied',
    });
    expect(jama.count('patchItem')).toBe(1);
    expect(fields()?.priority$24).toBe(161);
  });

  it('hands a push back while another push of the item holds it', async () => {
    const { clock, services, push } = setup();
    await services.ledger.claim('prod', 5, 'other', clock.now() + 60_000);
    expect((await push({ fields: { name: 'x' }, jobId: 'y' })).outcome).toEqual({ type: 'deferred' });
  });

  it('rejects an unresolvable value at once, without a PATCH, and frees the item', async () => {
    const { jama, push } = setup();
    const result = await push({ fields: { Priority: 'Urgent' }, jobId: 'bad' });
    expect(result.outcome).toEqual({
      type: 'rejected',
      reason: expect.stringMatching(/item 5: field "Priority": value "Urgent".*valid: High/),
    });
    expect(jama.count('patchItem')).toBe(0);
    expect((await push({ fields: { Priority: 'Low' }, jobId: 'good' })).outcome).toMatchObject({
      note: 'applied',
    });
  });
});

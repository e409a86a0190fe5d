import {
  adaptiveUpdate,
  decodeItem,
  fullStateUpdate,
  type LimiterItem,
  throttleWrite,
  updateExpression,
} from '../../../src/adapters/dynamodb-limiter/item';
import type { LimiterState } from '../../../src/core/limiter/gcra';

const state: LimiterState = {
  tat: 1_767_225_603_000.5,
  busySince: 1_767_225_602_500,
  grants: 4,
  rate: 4.41,
  ceiling: 9,
  lastThrottleAt: 1_767_225_600_000,
  holdUntil: 1_767_225_603_000,
  streak: 2,
  cleanSince: 1_767_225_608_100,
  knee: 6.3,
  kneeFound: false,
  foundAt: null,
};

/** The item `update` would write on an empty key, as DynamoDB applies SET and REMOVE. */
function apply(update: ReturnType<typeof fullStateUpdate>, item: LimiterItem = {}): LimiterItem {
  const next: LimiterItem = { ...item, pk: { S: 'limiter#acme' } };
  for (const clause of update.set) {
    const [name = '', value = ''] = clause.split(' = ');
    const attribute = update.values[value];
    if (attribute) next[name] = attribute;
  }
  for (const name of update.remove) delete next[name];
  return next;
}

describe('limiter item layout', () => {
  it('round-trips the whole state, knee included', () => {
    expect(decodeItem(apply(fullStateUpdate(state, 7)))).toEqual({ epoch: 7, state });
  });

  it('decodes an item written before the knee, busySince or grants existed as having none', () => {
    const { knee: _, busySince: __, grants: ___, ...old } = apply(fullStateUpdate(state, 3));
    expect(decodeItem(old)).toEqual({ epoch: 3, state: { ...state, knee: null, busySince: 0, grants: 0 } });
  });

  it('marks a knee the 429 found, and clears the mark with the knee or a knee that only bounds', () => {
    const found = apply(fullStateUpdate({ ...state, knee: 2.106, kneeFound: true }, 4));
    expect(found.kneeFound).toEqual({ N: '1' });
    expect(decodeItem(found).state).toMatchObject({ knee: 2.106, kneeFound: true });
    const bound = apply(adaptiveUpdate({ ...state, knee: 6.3, kneeFound: false }, 5), found);
    expect(bound.kneeFound).toBeUndefined();
    const gone = apply(adaptiveUpdate({ ...state, knee: null, kneeFound: false }, 5), found);
    expect(decodeItem(gone).state).toMatchObject({ knee: null, kneeFound: false });
  });

  it('removes the knee once it is forgotten, and sets it again after the next cut', () => {
    const withKnee = apply(fullStateUpdate(state, 1));
    const forgotten = adaptiveUpdate({ ...state, rate: 6.92, knee: null }, 2);
    expect(updateExpression(forgotten)).toBe(
      'SET rate = :set_rate, ceiling = :set_ceiling, cleanSince = :set_cleanSince, streak = :set_streak, epoch = :set_epoch REMOVE knee, kneeFound',
    );
    const item = apply(forgotten, withKnee);
    expect(item.knee).toBeUndefined();
    expect(decodeItem(item).state).toMatchObject({ rate: 6.92, knee: null });
    const cut = adaptiveUpdate({ ...state, rate: 4.844, knee: 6.92 }, 3);
    expect(cut.remove).toEqual(['kneeFound']);
    expect(decodeItem(apply(cut, item)).state).toMatchObject({ rate: 4.844, knee: 6.92 });
  });

  it('leaves busySince and grants to reservations when a 429 does not restart them (an echo)', () => {
    const stale = { ...state, busySince: 1 };
    const cut = throttleWrite({ epoch: 3, state: stale }, { ...stale, rate: 3 });
    expect(cut.update.set.some((c) => c.startsWith('busySince') || c.startsWith('grants'))).toBe(false);
    expect(cut.update.values[':set_busySince']).toBeUndefined();
    expect(apply(cut.update, apply(fullStateUpdate(state, 3))).busySince).toEqual({
      N: String(state.busySince),
    });
    // On a new item the cut writes the whole state, busySince included.
    expect(throttleWrite({ epoch: 0, state: stale }, stale).update.values[':set_busySince']).toEqual({
      N: '1',
    });
  });

  it('restarts busySince and grants with a cut, and removes foundAt when no room was counted', () => {
    const found = apply(fullStateUpdate({ ...state, foundAt: 1_767_225_602_900 }, 3));
    expect(decodeItem(found).state.foundAt).toBe(1_767_225_602_900);
    const next = { ...state, busySince: state.tat, grants: 0, rate: 3 };
    const cut = throttleWrite({ epoch: 3, state: decodeItem(found).state }, next);
    const item = apply(cut.update, found);
    expect(decodeItem(item).state).toMatchObject({ busySince: state.tat, grants: 0, foundAt: null });
    expect(item.foundAt).toBeUndefined();
  });

  it('restarts the count with a cut even when busySince stays the same', () => {
    // A 429 with Retry-After 0 right after the first slot: the pause ends where the count began.
    const counted = { ...state, grants: 1 };
    const cut = throttleWrite({ epoch: 3, state: counted }, { ...counted, grants: 0, rate: 3 });
    expect(decodeItem(apply(cut.update, apply(fullStateUpdate(counted, 3)))).state.grants).toBe(0);
  });

  it('names a knee that is not a number', () => {
    const item = { ...apply(fullStateUpdate(state, 1)), knee: { S: 'high' } };
    expect(() => decodeItem(item)).toThrow(/no numeric `knee`/);
  });
});

import { mapPool } from '../../../src/core/pool';

/** A task whose calls stay in flight until released, recording how many ran at once. */
function gated() {
  const release: Array<() => void> = [];
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const task = async (item: number) => {
    started.push(item);
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise<void>((resolve) => release.push(resolve));
    inFlight--;
    return item * 10;
  };
  const drain = async (done: Promise<unknown>) => {
    let settled = false;
    void done.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
  };
  return { task, drain, started, most: () => most };
}

describe('mapPool', () => {
  it('keeps at most `concurrency` tasks in flight, starts them in order and returns results by index', async () => {
    const g = gated();
    const items = Array.from({ length: 23 }, (_, i) => i);
    const done = mapPool(items, 4, g.task);
    await g.drain(done);
    await expect(done).resolves.toEqual(items.map((i) => i * 10));
    expect(g.most()).toBe(4);
    expect(g.started).toEqual(items);
  });

  it('runs fewer workers than `concurrency` when there are fewer items, and none for no items', async () => {
    const g = gated();
    const done = mapPool([1, 2], 8, g.task);
    await g.drain(done);
    await expect(done).resolves.toEqual([10, 20]);
    expect(g.most()).toBe(2);
    await expect(mapPool([], 8, g.task)).resolves.toEqual([]);
  });

  it('starts no task after one throws, lets those in flight settle, and throws the first error', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const done = mapPool([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await new Promise((r) => setImmediate(r));
      if (item === 1) throw new Error('first');
      if (item === 2) throw new Error('second');
      settled.push(item);
      return item;
    });
    await expect(done).rejects.toThrow('first');
    expect(started).toEqual([0, 1, 2]);
    expect(settled).toEqual([0]);
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses concurrency %p with a message naming it',
    async (concurrency) => {
      await expect(mapPool([1], concurrency, async (x) => x)).rejects.toThrow(
        `Expected \`concurrency\` to be an integer ≥ 1, got \`${concurrency}\``,
      );
    },
  );
});

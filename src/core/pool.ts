/**
 * Runs `task` on every item with at most `concurrency` tasks in flight, starting them in order,
 * and returns the results by index. After a task throws no new task starts; once those in flight
 * have settled, the first error is thrown.
 *
 * @example
 * const results = await mapPool(records, 8, (record) => put(record)); // 8 writes in flight at most
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`Expected \`concurrency\` to be an integer ≥ 1, got \`${concurrency}\``);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed) throw failure;
  return results;
}

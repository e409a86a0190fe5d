import { measureMirrorCapacity } from '../../../bench/mirror-capacity';

describe('the local mirror capacity bench:environments is read against', () => {
  it('writes every page and reports pages per second and CPU per page', async () => {
    const capacity = await measureMirrorCapacity({ pages: 6, rounds: 2, concurrency: 2 });
    expect(capacity.pageSize).toBe(50);
    expect(Number.isFinite(capacity.pagesPerSecond)).toBe(true);
    expect(capacity.pagesPerSecond).toBeGreaterThan(0);
    expect(capacity.cpuMsPerPage).toBeGreaterThan(0);
  }, 60_000);
});

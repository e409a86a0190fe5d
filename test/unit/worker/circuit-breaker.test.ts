import { CircuitBreaker } from '../../../src/core/circuit-breaker';
import type { BreakerRecord, BreakerStore } from '../../../src/core/ports/breaker-store';
import { FakeClock } from '../../support/fakes';

class MemoryBreakerStore implements BreakerStore {
  record: BreakerRecord | undefined;
  reads = 0;
  async read() {
    this.reads++;
    return this.record && { ...this.record };
  }
  async open(_env: string, record: BreakerRecord) {
    this.record = { ...record, probeUntil: 0 };
  }
  async close() {
    this.record = undefined;
  }
  async claimProbe(_env: string, until: number, now: number) {
    if (!this.record || (this.record.probeUntil ?? 0) >= now) return false;
    this.record.probeUntil = until;
    return true;
  }
}

const outage = Object.assign(new Error('Jama failed (503)'), { code: 'JAMA_SERVER' });
const refused = (b: CircuitBreaker) =>
  b.before().then(
    () => undefined,
    (error: { code: string; retryAfterMs: number }) => error,
  );

describe('circuit breaker', () => {
  it('opens for everyone after 10 outage failures in a row (the default), probes once after the cool-down, closes on success', async () => {
    const clock = new FakeClock();
    const store = new MemoryBreakerStore();
    const a = new CircuitBreaker({ store, env: 'prod', clock });
    const b = new CircuitBreaker({ store, env: 'prod', clock });
    for (let i = 0; i < 9; i++) await a.failed(outage);
    expect(store.record).toBeUndefined();
    await a.failed(outage);
    expect(store.record).toMatchObject({ opened: 1, openUntil: clock.now() + 5000 });
    clock.advance(1000);
    // Another worker sees it within its refresh interval and waits instead of failing.
    expect(await refused(b)).toMatchObject({ code: 'JAMA_UNAVAILABLE', retryAfterMs: 4000 });
    clock.advance(4000);
    await expect(a.before()).resolves.toBeUndefined(); // a holds the probe
    expect(await refused(b)).toMatchObject({ code: 'JAMA_UNAVAILABLE' });
    await a.succeeded();
    expect(store.record).toBeUndefined();
    clock.advance(1000);
    await expect(b.before()).resolves.toBeUndefined();
  });

  it('re-opens with twice the cool-down when the probe fails, and ignores errors that are not outages', async () => {
    const clock = new FakeClock();
    const store = new MemoryBreakerStore();
    const a = new CircuitBreaker({ store, env: 'prod', clock, threshold: 2 });
    await a.failed(Object.assign(new Error('404'), { code: 'JAMA_NOT_FOUND' }));
    await a.failed(outage);
    expect(store.record).toBeUndefined();
    await a.failed(outage);
    clock.advance(5000);
    await a.before();
    await a.failed(outage);
    expect(store.record).toMatchObject({ opened: 2, openUntil: clock.now() + 10_000 });
  });
});

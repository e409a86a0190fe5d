import type { Clock } from '../../src/core/clock';

/**
 * A clock that moves only when told to. `sleep` advances time instantly, which lets
 * single-threaded tests of time-based logic run without real waiting.
 */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    if (ms > 0) this.current += ms;
  }
}

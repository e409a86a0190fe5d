import type { Clock } from '../../core/clock';

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as `signal` aborts. The
 * promise itself runs on, so other callers sharing it are unaffected by one caller giving up.
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * One value, loaded on demand and kept for `ttlMs` (0: never kept). Concurrent callers share one
 * load; a failed load is not cached.
 */
export class TtlCache<T> {
  private entry: { value: T; expiresAt: number } | undefined;
  private loading: Promise<T> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  get(load: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.entry !== undefined && this.clock.now() < this.entry.expiresAt)
      return Promise.resolve(this.entry.value);
    if (this.loading === undefined) {
      const loading = load().then((value) => {
        if (this.ttlMs > 0) this.entry = { value, expiresAt: this.clock.now() + this.ttlMs };
        return value;
      });
      this.loading = loading;
      loading.then(
        () => this.settled(loading),
        () => this.settled(loading),
      );
    }
    return raceSignal(this.loading, signal);
  }

  clear(): void {
    this.entry = undefined;
  }

  private settled(loading: Promise<T>): void {
    if (this.loading === loading) this.loading = undefined;
  }
}

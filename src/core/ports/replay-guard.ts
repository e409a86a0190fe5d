/**
 * Remembers accepted signed requests for the replay window, so an exact replay (same timestamp and
 * body, hence the same signature) is refused with 409 instead of being queued a second time.
 */
export interface ReplayGuard {
  /** Records the request until `expiresAt`; false when it is recorded and not expired at `now` (epoch ms). */
  remember(source: string, signature: string, expiresAt: number, now: number): Promise<boolean>;
  /** Forgets a request whose jobs could not be queued, so the sender's retry is accepted. */
  forget(source: string, signature: string): Promise<void>;
}

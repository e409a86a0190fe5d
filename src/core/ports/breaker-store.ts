/** The shared state of one environment's breaker (one item per environment, seen by every caller). */
export interface BreakerRecord {
  /** Calls wait until then (epoch ms); after it, one caller probes. */
  openUntil: number;
  /** Times the breaker opened in a row without a successful probe (sets the cool-down). */
  opened: number;
  /** A caller holds the probe until then (epoch ms). */
  probeUntil?: number;
  /** Why it opened, for `status` and logs. */
  reason?: string;
}

/** Where the breaker's state lives, so every worker of an environment pauses together. */
export interface BreakerStore {
  read(env: string): Promise<BreakerRecord | undefined>;
  /** Opens (or re-opens) the breaker. */
  open(env: string, record: BreakerRecord): Promise<void>;
  /** Closes it after a successful call. */
  close(env: string): Promise<void>;
  /** Takes the probe if nobody holds it; false if somebody does. */
  claimProbe(env: string, until: number, now: number): Promise<boolean>;
}

import { maxInAnyWindow } from './rate-window';

/** One /rest call as the server saw it. */
export interface CallRecord {
  /** Arrival, epoch ms (fractional for the foreign integration's evenly spaced calls). */
  at: number;
  method: string;
  /** Path and query string, e.g. `/rest/v1/items?project=20`. */
  path: string;
  /** HTTP status answered; 0 when the connection was reset without an answer. */
  status: number;
  /** True for calls of the simulated foreign integration that shares the limit. */
  foreign: boolean;
  /** Time from arrival to answer. */
  durationMs: number;
}

/** Counts over the call log, for asserting that clients stay within the limit. */
export interface SimulatorStats {
  calls: number;
  /** Calls not answered 429 (they took capacity in the window). */
  accepted: number;
  rejected429: number;
  /** Calls per status code, e.g. `{ "200": 40, "429": 3 }`. */
  byStatus: Record<string, number>;
  /** Most accepted calls, foreign included, whose arrivals fit in one sliding 1 s window. */
  maxAcceptedInAnyWindow: number;
  /** The same, counting only calls that were not foreign. */
  maxAcceptedInAnyWindowOurs: number;
}

/** Oldest calls are dropped beyond this many, so a long-running simulator stays bounded. */
export const MAX_CALL_RECORDS = 1_000_000;

/** A call entered on arrival and not yet answered. */
export interface PendingCall {
  readonly record: CallRecord;
  done: boolean;
}

/**
 * Every /rest call in arrival order. A call is entered when it arrives and becomes visible once
 * answered, so that the log's order is arrival order even when answers overtake each other.
 */
export class CallLog {
  private entries: PendingCall[] = [];

  /** Enters a call that is being served; call {@link finish} when it is answered. */
  begin(at: number, method: string, path: string): PendingCall {
    return this.push({ at, method, path, status: 0, foreign: false, durationMs: 0 }, false);
  }

  finish(call: PendingCall, status: number, now: number): void {
    if (call.done) return;
    call.record.status = status;
    call.record.durationMs = Math.max(0, now - call.record.at);
    call.done = true;
  }

  /** Enters a call that is already answered (429s, foreign calls). */
  add(record: CallRecord): void {
    this.push(record, true);
  }

  /** Answered calls, oldest first (copies). */
  calls(): CallRecord[] {
    return this.entries.filter((e) => e.done).map((e) => ({ ...e.record }));
  }

  stats(): SimulatorStats {
    const byStatus: Record<string, number> = {};
    const accepted: number[] = [];
    const ours: number[] = [];
    let calls = 0;
    for (const { record, done } of this.entries) {
      if (!done) continue;
      calls++;
      byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
      if (record.status === 429) continue;
      accepted.push(record.at);
      if (!record.foreign) ours.push(record.at);
    }
    return {
      calls,
      accepted: accepted.length,
      rejected429: byStatus[429] ?? 0,
      byStatus,
      maxAcceptedInAnyWindow: maxInAnyWindow(accepted),
      maxAcceptedInAnyWindowOurs: maxInAnyWindow(ours),
    };
  }

  /** Forgets answered calls; calls still being served stay and are counted when answered. */
  reset(): void {
    this.entries = this.entries.filter((e) => !e.done);
  }

  private push(record: CallRecord, done: boolean): PendingCall {
    const entry = { record, done };
    this.entries.push(entry);
    if (this.entries.length > MAX_CALL_RECORDS * 1.1)
      this.entries.splice(0, this.entries.length - MAX_CALL_RECORDS);
    return entry;
  }
}

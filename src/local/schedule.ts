import type { ReconcileMode } from '../core/ports/reconcile-state';

export interface ScheduleOptions {
  /** Milliseconds between incremental runs; 0 turns them off. @default 900000 (RECONCILE's 15 minutes) */
  incrementalEveryMs?: number;
  /** UTC time of the daily full run, as RECONCILE's `cron(30 3 * * ? *)`; `false` turns it off. @default { hour: 3, minute: 30 } */
  fullAtUtc?: { hour: number; minute: number } | false;
  /** Starts one run; a rejection goes to `onError`, the schedule goes on. */
  run(mode: ReconcileMode): Promise<unknown>;
  onError?(mode: ReconcileMode, error: unknown): void;
  now?(): number;
}

export interface Schedule {
  /** When each mode runs next (epoch ms), if scheduled. */
  next(): Partial<Record<ReconcileMode, number>>;
  stop(): void;
}

const DAY_MS = 86_400_000;

/** The next `hour:minute` UTC strictly after `now`. */
export function nextUtc(now: number, at: { hour: number; minute: number }): number {
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  const today = midnight + (at.hour * 60 + at.minute) * 60_000;
  return today > now ? today : today + DAY_MS;
}

/**
 * The reconciliation schedule of the local stack, standing in for the stack's EventBridge rules:
 * an incremental run every `incrementalEveryMs` and a full run daily. Timers only; `stop()`
 * clears them (a run already started finishes on its own).
 */
export function startSchedule(options: ScheduleOptions): Schedule {
  const now = options.now ?? Date.now;
  const every = options.incrementalEveryMs ?? 15 * 60_000;
  const fullAt = options.fullAtUtc === undefined ? { hour: 3, minute: 30 } : options.fullAtUtc;
  const due: Partial<Record<ReconcileMode, number>> = {};
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const fire = (mode: ReconcileMode) => {
    options.run(mode).catch((error: unknown) => options.onError?.(mode, error));
  };
  const arm = (mode: ReconcileMode, at: number, after: () => number) => {
    due[mode] = at;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (stopped) return;
        fire(mode);
        arm(mode, after(), after);
      },
      Math.max(0, at - now()),
    );
    timers.add(timer);
  };
  if (every > 0) arm('incremental', now() + every, () => now() + every);
  if (fullAt) arm('full', nextUtc(now(), fullAt), () => nextUtc(now(), fullAt));
  return {
    next: () => ({ ...due }),
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

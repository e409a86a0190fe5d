/**
 * Turns a contestant's run into the benchmark's measures, from the simulator's call log (what Jama
 * saw) and from the contestant's sink compared with the simulator's items at the end.
 */
import { isDeepStrictEqual } from 'node:util';
import { maxInAnyWindow } from '../src/simulator/server';
import type { Contestant, RunOutcome, Snapshot } from './contestants/types';
import type { Workload } from './workload';

export interface Measures {
  key: string;
  name: string;
  models: string;
  /** Both phases finished within the cap. */
  drained: boolean;
  capSeconds: number;
  /** Storm plus reconciliation (the pause to snapshot the sink in between is not counted); the cap if not drained. */
  wallSeconds: number;
  stormSeconds: number | null;
  reconcileSeconds: number | null;
  /** Every call Jama answered, token, 429s and retries included. */
  calls: number;
  tokenCalls: number;
  rejected429: number;
  /** Changed items current in the sink after the storm, plus items current at the end, per call. */
  itemsSynced: number;
  itemsPerCall: number;
  /** Most calls whose arrivals fit in one sliding second: all of them, and those Jama accepted. */
  maxCallsInAnySecond: number;
  maxAcceptedInAnySecond: number;
  /** Events whose item's latest content was not in the sink when the storm had drained (or the cap struck). */
  eventsLostInStorm: number;
  /** Events whose item's latest content never reached the sink (at the end of the run). */
  eventsLost: number;
  /** Items of Jama missing from the sink, or stale in it, at the end. */
  itemsStaleAtEnd: number;
  notes: string[];
  /** Calls per second since the start: accepted, and answered 429. */
  series: { accepted: number[]; rejected: number[] };
}

function isCurrent(sink: Snapshot, expected: Snapshot, id: number): boolean {
  const want = expected.get(id);
  const have = sink.get(id);
  return (
    want !== undefined &&
    have !== undefined &&
    have.modifiedDate === want.modifiedDate &&
    isDeepStrictEqual(have.fields, want.fields)
  );
}

export function measure(
  contestant: Pick<Contestant, 'key' | 'name' | 'models'>,
  run: RunOutcome,
  workload: Workload,
  capSeconds: number,
): Measures {
  const calls = run.calls.filter((c) => !c.foreign);
  const accepted = calls.filter((c) => c.status !== 429);
  const rejected = calls.filter((c) => c.status === 429);
  const seconds = (ms: number) => Math.round(ms) / 1000;

  const stormMs = run.stormEndedAt === undefined ? undefined : run.stormEndedAt - run.startedAt;
  const reconcileMs =
    run.drained && run.reconcileStartedAt !== undefined ? run.endedAt - run.reconcileStartedAt : undefined;
  const wallMs =
    stormMs !== undefined && reconcileMs !== undefined ? stormMs + reconcileMs : run.endedAt - run.startedAt;

  const currentAfterStorm = (id: number) => isCurrent(run.sinkAfterStorm, run.expected, id);
  const currentAtEnd = (id: number) => isCurrent(run.sinkAtEnd, run.expected, id);
  const itemsSynced =
    workload.changed.filter(currentAfterStorm).length + [...run.expected.keys()].filter(currentAtEnd).length;

  const bins = Math.max(1, Math.ceil(wallMs / 1000) + 1);
  const series = { accepted: new Array<number>(bins).fill(0), rejected: new Array<number>(bins).fill(0) };
  for (const call of calls) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((call.at - run.startedAt) / 1000)));
    const row = call.status === 429 ? series.rejected : series.accepted;
    row[bin] = (row[bin] ?? 0) + 1;
  }

  return {
    key: contestant.key,
    name: contestant.name,
    models: contestant.models,
    drained: run.drained,
    capSeconds,
    wallSeconds: seconds(wallMs),
    stormSeconds: stormMs === undefined ? null : seconds(stormMs),
    reconcileSeconds: reconcileMs === undefined ? null : seconds(reconcileMs),
    calls: calls.length,
    tokenCalls: calls.filter((c) => c.path.startsWith('/rest/oauth/token')).length,
    rejected429: rejected.length,
    itemsSynced,
    itemsPerCall: calls.length === 0 ? 0 : Math.round((itemsSynced / calls.length) * 100) / 100,
    maxCallsInAnySecond: maxInAnyWindow(calls.map((c) => c.at)),
    maxAcceptedInAnySecond: maxInAnyWindow(accepted.map((c) => c.at)),
    eventsLostInStorm: workload.events.filter((e) => !currentAfterStorm(e.itemId)).length,
    eventsLost: workload.events.filter((e) => !currentAtEnd(e.itemId)).length,
    itemsStaleAtEnd: [...run.expected.keys()].filter((id) => !currentAtEnd(id)).length,
    notes: run.notes,
    series,
  };
}

import { SinkError } from '../errors';
import type { Sink, SinkRecord, SinkWriteResult } from '../ports/sink';
import { isPermanentSinkError, QUARANTINE_PREFIX } from './quarantine';

/** What became of a write to every sink. */
export interface SinkOutcome {
  /** Items some sink failed to take for now (retry them). */
  failures: Map<number, Error>;
  /** Items a sink refused for good or had to alter, with why: they are quarantined, the rest goes on. */
  quarantined: Map<number, string>;
}

/** Writes to every sink; returns the items any sink failed to take, and those to quarantine. */
export async function writeSinks(
  sinks: readonly Sink[],
  env: string,
  records: SinkRecord[],
): Promise<SinkOutcome> {
  const failures = new Map<number, Error>();
  const quarantined = new Map<number, string>();
  const results = await Promise.all(sinks.map((sink) => writeOne(sink, env, records)));
  results.forEach((perSink, i) => {
    const name = (sinks[i] as Sink).name;
    for (const r of perSink) {
      if (r.status === 'failed' && isPermanentSinkError(r.error))
        quarantined.set(
          r.itemId,
          `${QUARANTINE_PREFIX}: the ${name} sink refused the item: ${r.error.message}`,
        );
      else if (r.status === 'failed' && !failures.has(r.itemId)) failures.set(r.itemId, r.error);
      else if (r.status === 'written' && r.altered)
        quarantined.set(r.itemId, `${QUARANTINE_PREFIX}: the ${name} sink ${r.altered}`);
    }
  });
  for (const itemId of quarantined.keys()) failures.delete(itemId);
  return { failures, quarantined };
}

/** A sink that throws fails every record it was given, with that error. */
async function writeOne(sink: Sink, env: string, records: SinkRecord[]): Promise<SinkWriteResult[]> {
  try {
    return await sink.write(env, records);
  } catch (thrown) {
    const error =
      thrown instanceof Error ? thrown : new SinkError(`sink ${sink.name} failed: ${String(thrown)}`);
    return records.map((r) => ({ itemId: r.itemId, status: 'failed', error }));
  }
}

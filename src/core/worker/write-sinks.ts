import type { Sink, SinkRecord, SinkWriteResult } from '../sink';

/** Writes to every sink; returns the items any sink failed to take, with the error. */
export async function writeSinks(
  sinks: readonly Sink[],
  env: string,
  records: SinkRecord[],
): Promise<Map<number, Error>> {
  const failures = new Map<number, Error>();
  const results = await Promise.all(sinks.map((sink) => writeOne(sink, env, records)));
  for (const perSink of results) {
    for (const r of perSink)
      if (r.status === 'failed' && !failures.has(r.itemId)) failures.set(r.itemId, r.error);
  }
  return failures;
}

/** A sink that throws fails every record it was given, with that error. */
async function writeOne(sink: Sink, env: string, records: SinkRecord[]): Promise<SinkWriteResult[]> {
  try {
    return await sink.write(env, records);
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(`sink ${sink.name} failed: ${String(thrown)}`);
    return records.map((r) => ({ itemId: r.itemId, status: 'failed', error }));
  }
}

import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDbMirror } from '../../src/adapters/mirror-sink';
import type { JamaItem as CoreJamaItem } from '../../src/core/jama-types';
import { itemRecord } from '../../src/core/worker/pull';
import type { JamaItem } from '../../src/simulator/server';

/** A write that landed although the mirror already held a newer version when it was sent. */
export interface LostRace {
  itemId: number;
  wrote: number;
  newerSeen: number;
}

export interface RogueStats {
  writes: number;
  written: number;
  stale: number;
  failed: number;
  /** Writes sent when a newer version was already known to be in the mirror: each must be refused. */
  mustBeStale: number;
  lostRaces: LostRace[];
}

export interface RogueWriterOptions {
  clientConfig: DynamoDBClientConfig;
  table: string;
  env: string;
  /** Writers, each with its own client (connection pool), racing each other and the pipeline. */
  writers: number;
  /** Old states of items: each was current once and has since been changed in Jama. */
  snapshots: () => readonly JamaItem[];
  /** The newest version of an item known to be in the mirror (the watcher's). */
  newestKnown: (itemId: number) => number;
}

/**
 * Conditional-write contention on live mirror rows: writers that replay old states of items —
 * as a worker that read Jama long ago and writes only now would — racing the pipeline's own
 * writes on the same rows. A replay may land on a row still older than it (monotonic: fine), but
 * one sent after a newer version was already seen in the mirror must come back `stale`.
 */
export function startRogueWriters(options: RogueWriterOptions) {
  const stats: RogueStats = { writes: 0, written: 0, stale: 0, failed: 0, mustBeStale: 0, lostRaces: [] };
  let stopped = false;
  const clients: DynamoDBClient[] = [];
  const writer = async () => {
    const client = new DynamoDBClient(options.clientConfig);
    clients.push(client);
    const mirror = new DynamoDbMirror(client, options.table);
    while (!stopped) {
      const pool = options.snapshots();
      const snapshot = pool[Math.floor(Math.random() * pool.length)];
      if (!snapshot) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const record = itemRecord(snapshot as unknown as CoreJamaItem);
      const version = record.kind === 'item' ? record.modifiedAt : 0;
      const newerSeen = options.newestKnown(snapshot.id);
      const [result] = await mirror.write(options.env, [record]);
      stats.writes++;
      if (newerSeen > version) stats.mustBeStale++;
      if (result?.status === 'written') {
        stats.written++;
        if (newerSeen > version) stats.lostRaces.push({ itemId: snapshot.id, wrote: version, newerSeen });
      } else if (result?.status === 'stale') stats.stale++;
      else stats.failed++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const running = Promise.all(Array.from({ length: options.writers }, writer));
  return {
    stats,
    async stop() {
      stopped = true;
      await running;
      for (const c of clients) c.destroy();
    },
  };
}

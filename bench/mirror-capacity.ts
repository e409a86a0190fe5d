import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbMirror } from '../src/adapters/mirror-sink';
import type { JamaItem } from '../src/core/jama-types';
import { mapPool } from '../src/core/pool';
import { clientConfig, startEmbeddedAws } from '../src/local/embedded-aws';
import { provisionLocal } from '../src/local/provision';
import { startJamaSimulator } from '../src/simulator/server';

/** How fast this machine takes scan pages into the local mirror, with nothing else running. */
export interface MirrorCapacity {
  /** Pages of `pageSize` items written per second, the fastest of the measured rounds. */
  pagesPerSecond: number;
  pageSize: number;
  /** This process's CPU (both threads: ours and the stand-ins') per page in that round. */
  cpuMsPerPage: number;
}

const PAGE_SIZE = 50;

/**
 * Writes `pages` scan pages of 50 simulator items to the mirror of fresh embedded stand-ins —
 * the same `DynamoDbMirror` and stand-ins `jama-sync local` runs, `concurrency` pages at once, as
 * several scan slices would — once to warm up, then `rounds` times, each a newer version of every
 * item (every conditional write lands), and returns the fastest round. Every page a local run
 * reads is written this way, so no local run on this machine reads more pages per second than
 * this, whatever the limits or the design: the bound the many-environment benchmark is read
 * against.
 *
 * @example const { pagesPerSecond } = await measureMirrorCapacity(); // 17–28 on the 2-core CI machine
 */
export async function measureMirrorCapacity({
  pages = 60,
  rounds = 3,
  concurrency = 4,
}: {
  pages?: number;
  rounds?: number;
  concurrency?: number;
} = {}): Promise<MirrorCapacity> {
  const aws = await startEmbeddedAws();
  const sim = await startJamaSimulator({ projects: 1, itemsPerProject: PAGE_SIZE * 20, seed: 1 });
  const dynamodb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
  const sqs = new SQSClient(clientConfig(aws, 'sqs'));
  try {
    const { tables } = await provisionLocal({ dynamodb, sqs }, `capacity${Date.now()}`);
    const mirror = new DynamoDbMirror(dynamodb, tables.mirror);
    // As the runtime gets them: parsed from Jama's JSON.
    const items = JSON.parse(JSON.stringify(sim.items())) as JamaItem[];
    const pageNumbers = Array.from({ length: pages }, (_, p) => p);
    const writeRound = (round: number) =>
      mapPool(pageNumbers, concurrency, async (p) => {
        const from = (p * PAGE_SIZE) % items.length;
        const page = items.slice(from, from + PAGE_SIZE);
        const results = await mirror.write(
          'capacity',
          page.map((item) => ({
            kind: 'item' as const,
            itemId: item.id,
            documentKey: item.documentKey,
            modifiedAt: Date.parse(item.modifiedDate) + round,
            item,
            seenRun: `run${round}`,
            observedAt: Date.now(),
          })),
        );
        const missed = results.find((r) => r.status !== 'written');
        if (missed)
          throw new Error(`mirror capacity: item ${missed.itemId} was ${missed.status}, not written`);
      });
    await writeRound(0);
    let best: MirrorCapacity = { pagesPerSecond: 0, pageSize: PAGE_SIZE, cpuMsPerPage: Number.NaN };
    for (let round = 1; round <= rounds; round++) {
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      await writeRound(round);
      const cpu = process.cpuUsage(cpu0);
      const pagesPerSecond = (pages * 1000) / (performance.now() - started);
      if (pagesPerSecond > best.pagesPerSecond)
        best = { pagesPerSecond, pageSize: PAGE_SIZE, cpuMsPerPage: (cpu.user + cpu.system) / 1000 / pages };
    }
    return best;
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    await sim.close();
    await aws.stop();
  }
}

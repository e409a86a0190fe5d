import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CallRecord } from '../src/simulator/call-log';
import type { SimulatorOptions } from '../src/simulator/server';

/** A Jama simulator running on its own thread, and the few things a benchmark asks of it. */
export interface SimulatorThread {
  url: string;
  clientId: string;
  clientSecret: string;
  calls(): Promise<CallRecord[]>;
  items(): Promise<Array<{ id: number; modifiedDate: string }>>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

type Ready = { url: string; clientId: string; clientSecret: string };
type Message = { ready?: Ready; id?: number; result?: unknown };

// Under jest (CommonJS) `__filename` is defined; under tsx (ESM) `import.meta.url` is.
const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);

/**
 * Starts the Jama simulator on a worker thread of its own, so that it stamps each call's arrival
 * when the call arrives, as a real Jama's clock would — not when the pipeline's main thread (busy
 * for up to a few hundred ms at a time with the AWS SDK's work for the stand-ins) gets round to it,
 * which bunches evenly spaced calls together and refuses one of them. If the thread dies, what is
 * asked of it rejects rather than waits.
 *
 * @example const sim = await startSimulatorThread({ projects: 2, itemsPerProject: 5000 });
 */
export async function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  const worker = new Worker(join(dirname(here), 'simulator-thread-worker.ts'), {
    workerData: options,
    execArgv: ['--import', 'tsx'],
  });
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (e: Error) => void }>();
  let dead: Error | undefined;
  let nextId = 0;
  const ready = new Promise<Ready>((resolve, reject) => {
    const die = (error: Error) => {
      dead ??= error;
      reject(dead);
      for (const p of pending.values()) p.reject(dead);
      pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`the simulator thread exited (code ${code})`)));
    worker.on('message', (m: Message) => {
      if (m.ready) return resolve(m.ready);
      if (m.id === undefined) return;
      pending.get(m.id)?.resolve(m.result);
      pending.delete(m.id);
    });
  });
  const ask = <T>(op: string) =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      worker.postMessage({ id, op });
    });
  const { url, clientId, clientSecret } = await ready;
  return {
    url,
    clientId,
    clientSecret,
    calls: () => ask<CallRecord[]>('calls'),
    items: () => ask<Array<{ id: number; modifiedDate: string }>>('items'),
    resetStats: () => ask<void>('resetStats'),
    stop: async () => {
      await ask<void>('stop');
      await worker.terminate();
    },
  };
}

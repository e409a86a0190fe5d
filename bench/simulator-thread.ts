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

/**
 * Starts the Jama simulator on a worker thread of its own, so that it stamps each call's arrival
 * when the call arrives, as a real Jama's clock would — not when the pipeline's main thread (busy
 * for up to a few hundred ms at a time with the AWS SDK's work for the stand-ins) gets round to it,
 * which bunches evenly spaced calls together and refuses one of them.
 *
 * @example const sim = await startSimulatorThread({ projects: 2, itemsPerProject: 5000 });
 */
export async function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  const worker = new Worker(new URL('./simulator-thread-worker.ts', import.meta.url), {
    workerData: options,
  });
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 0;
  const ready = new Promise<{ url: string; clientId: string; clientSecret: string }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on(
      'message',
      (m: {
        ready?: { url: string; clientId: string; clientSecret: string };
        id?: number;
        result?: unknown;
      }) => {
        if (m.ready) return resolve(m.ready);
        const done = m.id === undefined ? undefined : pending.get(m.id);
        if (m.id !== undefined) pending.delete(m.id);
        done?.(m.result);
      },
    );
  });
  const ask = <T>(op: string) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (result: unknown) => void);
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

/** The Jama simulator on its own thread (see simulator-thread.ts): answers the parent's requests. */
import { parentPort, workerData } from 'node:worker_threads';
import { type SimulatorOptions, startJamaSimulator } from '../src/simulator/server';

type Request = { id: number; op: 'calls' | 'items' | 'resetStats' | 'stop' };

const port = parentPort;
if (!port) throw new Error('simulator-thread-worker.ts runs only as a worker thread');
const sim = await startJamaSimulator(workerData as SimulatorOptions);
const [client] = sim.options.clients;
port.on('message', async ({ id, op }: Request) => {
  if (op === 'calls') port.postMessage({ id, result: sim.calls() });
  else if (op === 'items')
    port.postMessage({ id, result: sim.items().map((it) => ({ id: it.id, modifiedDate: it.modifiedDate })) });
  else if (op === 'resetStats') port.postMessage({ id, result: sim.resetStats() });
  else {
    await sim.close();
    port.postMessage({ id, result: undefined });
    port.close();
  }
});
port.postMessage({ ready: { url: sim.url, clientId: client?.clientId, clientSecret: client?.clientSecret } });

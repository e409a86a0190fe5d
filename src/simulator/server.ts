import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control';
import { SimulatorEngine } from './engine';
import { errorEnvelope } from './envelope';
import { sendJson } from './http-io';
import { resolveOptions, type SimulatorOptions } from './options';
import { handleRest } from './rest-handler';
import type { JamaSimulator } from './simulator';
import type { JamaItem } from './types';

export type { CallRecord, SimulatorStats } from './call-log';
export type { ResolvedSimulatorOptions, SimulatorOptions, SimulatorOptionsPatch } from './options';
export { maxInAnyWindow } from './rate-window';
export type { JamaRelationship, JamaRelationshipType, RelationshipPatch } from './relationships';
export type { JamaSimulator } from './simulator';
export type { JamaItem } from './types';

/** Edits made through the direct API count as this user's, as if someone worked in the Jama UI. */
const UI_USER = 11;

/**
 * Starts a simulator of one Jama Connect environment on a real HTTP server: seeded data, OAuth and
 * Basic auth, Jama's envelopes and paging, the environment-wide limit (10 calls per sliding second
 * by default, shared with an optional foreign integration), latency and faults. A control API
 * under `/__control/` is neither limited nor logged.
 *
 * @example
 * const jama = await startJamaSimulator({ itemsPerProject: 50, rateLimit: 10 });
 * const res = await fetch(`${jama.url}/rest/v1/projects`, {
 *   headers: { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
 * });
 * expect(jama.stats().maxAcceptedInAnyWindow).toBeLessThanOrEqual(10);
 * await jama.close();
 */
export async function startJamaSimulator(options: SimulatorOptions = {}): Promise<JamaSimulator> {
  const engine = new SimulatorEngine(resolveOptions(options));
  const { store } = engine;
  const shutdown = new AbortController();
  const server = createServer({ keepAliveTimeout: 5000 });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(engine.options.port, engine.options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = engine.options.host.includes(':') ? `[${engine.options.host}]` : engine.options.host;
  const url = `http://${host}:${port}`;
  const copy = (item: JamaItem): JamaItem => structuredClone(item);

  const sim: JamaSimulator = {
    url,
    port,
    get options() {
      return Object.freeze(structuredClone({ ...engine.options, port }));
    },
    setOptions: (patch) => engine.setOptions(patch),
    calls: () => engine.calls(),
    stats: () => engine.stats(),
    resetStats: () => engine.resetStats(),
    items: () => [...store.all()].map((s) => copy(s.item)),
    getItem: (id) => {
      const stored = store.get(id);
      return stored && copy(stored.item);
    },
    updateItem: (id, fields) => {
      const merged: Record<string, unknown> = { ...store.require(id).item.fields, ...fields };
      for (const [name, value] of Object.entries(fields)) if (value === undefined) delete merged[name];
      return copy(store.setFields(id, merged, UI_USER, engine.now()).item);
    },
    deleteItem: (id) => store.delete(id, UI_USER, engine.now()),
    createItem: (input) => copy(store.create(input, UI_USER, engine.now()).item),
    relationships: () => store.relationships.all().map((r) => ({ ...r })),
    link: (fromItem, toItem, type) => {
      const defaultType = store.relationships.types.find((t) => t.isDefault)?.id ?? 0;
      return { ...store.link(fromItem, toItem, type ?? defaultType, UI_USER, engine.now()) };
    },
    relink: (id, patch) => ({ ...store.relink(id, patch, UI_USER, engine.now()) }),
    unlink: (id) => store.unlink(id, UI_USER, engine.now()),
    damageItem: (id, props) => {
      Object.assign(store.require(id).item, props);
    },
    close: async () => {
      shutdown.abort(new Error('Jama simulator closed'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };

  server.on('request', (req, res) => {
    let requestUrl: URL;
    try {
      requestUrl = new URL(req.url ?? '/', url);
    } catch {
      sendJson(res, 400, errorEnvelope(400, `Unparsable request target '${req.url}'.`, engine.now()));
      return;
    }
    const path = requestUrl.pathname;
    let handling: Promise<void>;
    if (path.startsWith(CONTROL_PREFIX)) handling = handleControl(sim, req, res, requestUrl);
    else if (path.startsWith('/rest/')) {
      handling = handleRest(engine, req, res, requestUrl, `${url}/rest/v1`, shutdown.signal);
    } else {
      sendJson(
        res,
        404,
        errorEnvelope(404, `Nothing at ${path}: the REST API is under /rest/v1.`, engine.now()),
      );
      return;
    }
    handling.catch((error: unknown) => {
      sendJson(res, 500, errorEnvelope(500, `Simulator bug: ${String(error)}`, engine.now()));
    });
  });

  return sim;
}

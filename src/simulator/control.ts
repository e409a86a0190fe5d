import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJamaSyncError } from '../core/errors';
import { routeRelationshipControl } from './control-relationships';
import { SimulatedJamaError } from './http-error';
import { readBody, sendJson } from './http-io';
import type { SimulatorOptionsPatch } from './options';
import type { JamaSimulator } from './simulator';

/** Prefix of the control API: test and operator hooks, never rate limited, never in the call log. */
export const CONTROL_PREFIX = '/__control/';

function parse(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SimulatedJamaError(400, `Malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimulatedJamaError(400, 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function fieldsOf(body: Record<string, unknown>): Record<string, unknown> {
  const { fields } = body;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new SimulatedJamaError(400, 'Expected a body {"fields": {…}}.');
  }
  return fields as Record<string, unknown>;
}

function optionsPatch(body: Record<string, unknown>): SimulatorOptionsPatch {
  const patch = { ...body } as SimulatorOptionsPatch & Record<string, unknown>;
  // JSON has no undefined: null removes the Retry-After header again.
  if (patch.retryAfterSeconds === null) patch.retryAfterSeconds = undefined;
  return patch;
}

type Answer = { status: number; body?: unknown };

function route(sim: JamaSimulator, method: string, path: string, body: Record<string, unknown>): Answer {
  const itemId = /^items\/(\d+)$/.exec(path)?.[1];
  const key = `${method} ${itemId === undefined ? path : 'items/{id}'}`;
  const id = Number(itemId);
  switch (key) {
    case 'GET stats':
      return { status: 200, body: sim.stats() };
    case 'GET calls':
      return { status: 200, body: sim.calls() };
    case 'POST reset-stats':
      sim.resetStats();
      return { status: 204 };
    case 'GET options':
      return { status: 200, body: sim.options };
    case 'PATCH options':
      sim.setOptions(optionsPatch(body));
      return { status: 200, body: sim.options };
    case 'GET items':
      return { status: 200, body: sim.items() };
    case 'POST items': {
      const { project, itemType } = body;
      if (!Number.isInteger(project) || !Number.isInteger(itemType)) {
        throw new SimulatedJamaError(
          400,
          'Expected a body {"project": <id>, "itemType": <id>, "fields": {…}}.',
        );
      }
      return {
        status: 201,
        body: sim.createItem({
          project: project as number,
          itemType: itemType as number,
          fields: fieldsOf(body),
        }),
      };
    }
    case 'GET items/{id}': {
      const item = sim.getItem(id);
      if (!item) throw new SimulatedJamaError(404, `Item ${id} was not found.`);
      return { status: 200, body: item };
    }
    case 'PATCH items/{id}':
      return { status: 200, body: sim.updateItem(id, fieldsOf(body)) };
    case 'DELETE items/{id}':
      sim.deleteItem(id);
      return { status: 204 };
    default: {
      const answer = routeRelationshipControl(sim, method, path, body);
      if (answer) return answer;
      throw new SimulatedJamaError(404, `No control endpoint ${method} ${CONTROL_PREFIX}${path}.`);
    }
  }
}

/**
 * Serves the control API: stats, the call log, options, and item changes made "in the Jama UI"
 * (they record activities like any edit). Answers plain JSON; errors are `{ "error": "…" }`.
 */
export async function handleControl(
  sim: JamaSimulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    const body = parse(await readBody(req));
    const answer = route(sim, req.method ?? 'GET', url.pathname.slice(CONTROL_PREFIX.length), body);
    sendJson(res, answer.status, answer.body);
  } catch (error) {
    const status = error instanceof SimulatedJamaError ? error.status : isJamaSyncError(error) ? 400 : 500;
    sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
  }
}

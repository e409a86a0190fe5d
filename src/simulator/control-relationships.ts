import { SimulatedJamaError } from './http-error';
import type { JamaSimulator } from './simulator';

type Answer = { status: number; body?: unknown };

function intOf(body: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw new SimulatedJamaError(
      400,
      `Expected \`${name}\` to be a positive integer id, got \`${JSON.stringify(value)}\`.`,
    );
  }
  return value as number;
}

/**
 * The control API's relationship endpoints — link, relink and unlink items "in the Jama UI" (each
 * records a RELATIONSHIP activity): `GET relationships`, `POST relationships {fromItem, toItem,
 * relationshipType?}`, `PATCH relationships/{id} {fromItem?, toItem?, relationshipType?, suspect?}`,
 * `DELETE relationships/{id}`. Undefined for any other path.
 */
export function routeRelationshipControl(
  sim: JamaSimulator,
  method: string,
  path: string,
  body: Record<string, unknown>,
): Answer | undefined {
  if (path === 'relationships' && method === 'GET') return { status: 200, body: sim.relationships() };
  if (path === 'relationships' && method === 'POST') {
    const fromItem = intOf(body, 'fromItem', true) as number;
    const toItem = intOf(body, 'toItem', true) as number;
    const type = intOf(body, 'relationshipType', false);
    return { status: 201, body: sim.link(fromItem, toItem, type) };
  }
  const id = Number(/^relationships\/(\d+)$/.exec(path)?.[1]);
  if (!Number.isInteger(id) || id <= 0) return undefined;
  if (method === 'PATCH') {
    const patch: Parameters<JamaSimulator['relink']>[1] = {};
    for (const name of ['fromItem', 'toItem', 'relationshipType'] as const) {
      const value = intOf(body, name, false);
      if (value !== undefined) patch[name] = value;
    }
    if (body.suspect !== undefined) {
      if (typeof body.suspect !== 'boolean')
        throw new SimulatedJamaError(400, 'Expected `suspect` to be a boolean.');
      patch.suspect = body.suspect;
    }
    return { status: 200, body: sim.relink(id, patch) };
  }
  if (method === 'DELETE') {
    sim.unlink(id);
    return { status: 204 };
  }
  return undefined;
}

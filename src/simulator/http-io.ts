import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatedJamaError } from './http-error';

/** Larger request bodies are refused with 413. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Reads the whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new SimulatedJamaError(413, `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body as Jama does: 415 unless the content type is JSON, 400 for malformed JSON. */
export function parseJsonBody(req: IncomingMessage, body: Buffer): unknown {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new SimulatedJamaError(415, `Content-Type must be application/json, got '${type}'.`);
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw new SimulatedJamaError(400, 'A JSON request body is required.');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimulatedJamaError(400, `Malformed JSON body: ${(error as Error).message}`);
  }
}

/** Answers with a JSON body (or none for `undefined`, as for 204). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** A Lambda handler for Function URL events (functions/webhook/handler.ts's `makeHandler(...)`). */
export type FunctionUrlHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;

export interface WebhookServerOptions {
  handler: FunctionUrlHandler;
  /** Loopback by default, so nothing on the network reaches it. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /**
   * Bytes read before the server answers 413 itself, to protect memory; the handler enforces the
   * real (smaller) limit. @default 1048576
   */
  readLimitBytes?: number;
}

export interface WebhookServer {
  /** e.g. `http://127.0.0.1:41234`; sources are at `${url}/webhooks/<name>`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function toEvent(req: IncomingMessage, body: Buffer, host: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    // Function URLs base64-encode bodies that are not text; always encoding keeps every byte intact.
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined) {
  const r = typeof result === 'object' ? result : { statusCode: 200, body: result ?? '' };
  const body = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : Buffer.from(r.body ?? '');
  res.writeHead(r.statusCode ?? 200, { ...r.headers, 'content-length': body.length });
  res.end(body);
}

/**
 * Serves a Function URL handler on node:http, as the local runtime does for the webhook: each
 * request becomes an `APIGatewayProxyEventV2` and the result goes back as the HTTP answer. It
 * enforces nothing but a read limit.
 *
 * @example
 * const server = await startWebhookServer({ handler: makeHandler(deps) });
 * await fetch(`${server.url}/webhooks/ci`, { method: 'POST', headers, body });
 * await server.close();
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.readLimitBytes ?? 1024 * 1024;
  let invocations = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (!refused) {
        refused = true;
        const body = JSON.stringify({
          error: { code: 'WEBHOOK_TOO_LARGE', message: `the body is larger than ${limit} bytes` },
        });
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(body, () => req.destroy());
      }
    });
    req.on('end', () => {
      if (refused) return;
      const started = Date.now();
      const context = {
        functionName: 'webhook-local',
        awsRequestId: `local-${++invocations}`,
        getRemainingTimeInMillis: () => Math.max(0, 10_000 - (Date.now() - started)),
      } as unknown as Context;
      options.handler(toEvent(req, Buffer.concat(chunks), host), context).then(
        (result) => send(res, result),
        () =>
          send(res, { statusCode: 500, body: '{"error":{"code":"INTERNAL","message":"internal error"}}' }),
      );
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

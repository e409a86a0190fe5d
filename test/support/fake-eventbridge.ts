import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One PutEvents request as the stand-in received it. */
export interface PutEventsCall {
  entries: { Source: string; DetailType: string; Detail: string; EventBusName?: string }[];
}

/**
 * A stand-in for the EventBridge API on 127.0.0.1: it speaks the JSON protocol the real
 * `@aws-sdk/client-eventbridge` sends (`X-Amz-Target: AWSEvents.PutEvents`, awsJson1_1) and answers
 * each entry with an EventId, or with the error `failWith(entry, callIndex)` names — the partial
 * failures PutEvents reports inside a 200 answer.
 */
export async function startFakeEventBridge(
  failWith: (detail: Record<string, unknown>, call: number) => string | undefined = () => undefined,
) {
  const calls: PutEventsCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: String(target) }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Entries: PutEventsCall['entries'];
      };
      const call = calls.length;
      calls.push({ entries: body.Entries });
      const results = body.Entries.map((entry, i) => {
        const code = failWith(JSON.parse(entry.Detail) as Record<string, unknown>, call);
        return code
          ? { ErrorCode: code, ErrorMessage: `${code} on entry ${i}` }
          : { EventId: `e-${call}-${i}` };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
          Entries: results,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

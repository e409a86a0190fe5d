import { Logger } from '@aws-lambda-powertools/logger';
import { makeHandler } from '../../../functions/webhook/handler';
import type { MappingConfig } from '../../../src/core/webhook/mapping';
import { fakeDeps, lambdaContext, signedHeaders, source, urlEvent } from './support';

/** The webhook handler on fakes, for property tests: `signed` makes authentic requests. */
export const CI_MAPPING: MappingConfig = {
  events: 'changes',
  type: 'action',
  itemId: 'jama.id',
  documentKey: 'jama.key',
  occurredAt: 'at',
  typeMap: { modified: 'item.updated', removed: 'item.deleted', skipped: 'ignore' },
};

export function harness() {
  const f = fakeDeps([source('ci'), source('mapped', CI_MAPPING)]);
  const handler = makeHandler(f.deps, { logger: new Logger({ logLevel: 'SILENT' }) });
  const call = async (event: Parameters<typeof handler>[0]) =>
    ((await handler(event, lambdaContext)) as { statusCode: number }).statusCode;
  /** Signed over the exact bytes, delivered base64-encoded as Function URLs do for binary bodies. */
  const signed = (path: string, body: string | Uint8Array) => {
    const bytes = Buffer.from(body);
    const headers = signedHeaders(bytes.toString('utf8'), f.clock.now());
    return { ...urlEvent({ path, headers }), body: bytes.toString('base64'), isBase64Encoded: true };
  };
  return { ...f, call, signed };
}

/** Every fuzzed request must be refused with a 4xx (exactly `status` when given), and nothing may reach the queue. */
export async function expectRefused(
  h: ReturnType<typeof harness>,
  event: Parameters<typeof h.call>[0],
  status?: number,
) {
  const got = await h.call(event);
  if (got < 400 || got > 499 || (status !== undefined && got !== status)) throw new Error(`status ${got}`);
  expect(h.queue.sent).toEqual([]);
}

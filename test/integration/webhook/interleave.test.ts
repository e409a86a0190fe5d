import type { JamaApi } from '../../../src/core/ports/jama-api';
import { type Pipeline, startPipeline } from '../../support/pipeline';

const SECRET = 'interleave-secret-0123456789';

describe('a change that arrives after the pending pull read Jama', () => {
  let p: Pipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  it('is queued as a new pull (not coalesced) and reaches the mirror', async () => {
    let pipeline: Pipeline | undefined;
    let target = 0;
    let during: { status: number; body: Record<string, unknown> } | undefined;
    p = await startPipeline({
      simulator: { projects: 1, itemsPerProject: 5 },
      eventSource: { batchingWindowSeconds: 0 },
      webhook: { sources: [{ name: 'jama', secret: SECRET }] },
      adjust: (deps) => ({
        ...deps,
        engine: {
          ...deps.engine,
          jama: (env) => {
            const real = deps.engine.jama(env) as JamaApi;
            const wrapped: JamaApi = Object.create(real);
            wrapped.getItemsByDocumentKeys = async (keys, options) => {
              const read = await real.getItemsByDocumentKeys(keys, options);
              if (!during && pipeline) {
                // The read has returned the old state; now the item changes and the webhook fires.
                pipeline.simulator.updateItem(target, { name: 'changed during the read' });
                during = await pipeline.webhook?.post('jama', {
                  events: [{ type: 'item.updated', itemId: target }],
                });
              }
              return read;
            };
            return wrapped;
          },
        },
      }),
    });
    pipeline = p;
    const [first] = p.simulator.items();
    target = first?.id as number;
    const event = { type: 'item.updated', itemId: target, documentKey: first?.documentKey };
    expect(await p.webhook?.post('jama', { events: [event] })).toMatchObject({
      status: 202,
      body: { enqueued: 1 },
    });
    await p.idle();

    expect(during).toMatchObject({ status: 202, body: { enqueued: 1, coalesced: 0 } });
    const now = p.simulator.getItem(target);
    expect((await p.mirror()).get(target)).toMatchObject({
      modifiedDate: now?.modifiedDate,
      item: { fields: { name: 'changed during the read' } },
    });
  });
});

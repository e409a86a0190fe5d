import { type IngestResult, ingest } from '../../../src/core/webhook/ingest';
import { applyMapping, type MappingConfig } from '../../../src/core/webhook/mapping';
import { type WebhookSourceConfig, webhookSourceSchema } from '../../../src/core/webhook/source';
import { docBlock } from './docs';
import { fakeDeps, SECRET, signedHeaders } from './support';

function exampleSource(name: string) {
  const config = webhookSourceSchema.parse(docBlock(`example:${name}-source`)) as WebhookSourceConfig;
  return { ...config, env: 'default', secret: SECRET, mapping: config.mapping as MappingConfig };
}

async function post(mapping: MappingConfig, payload: unknown) {
  const f = fakeDeps([{ name: 'src', env: 'default', secret: SECRET, mapping }]);
  const body = JSON.stringify(payload);
  const request = {
    method: 'POST',
    path: '/webhooks/src',
    headers: signedHeaders(body, f.clock.now()),
    body: Buffer.from(body),
  };
  return { f, run: () => ingest(request, f.deps) };
}

describe('webhook mappings', () => {
  it('maps the documented Jira example: a status push to the item named in a custom field', async () => {
    const { mapping } = exampleSource('jira');
    const { f, run } = await post(mapping, docBlock('example:jira-payload'));
    await expect(run()).resolves.toMatchObject({ accepted: 1, enqueued: 1, ignored: 0 });
    expect(f.queue.sent).toEqual([
      {
        v: 1,
        env: 'default',
        kind: 'push',
        itemId: 4711,
        ops: [
          { op: 'replace', path: '/fields/jira_status$24', value: 'In Review' },
          { op: 'replace', path: '/fields/jira_key$24', value: 'PLAT-17' },
        ],
        occurredAt: 1769860800000,
        ifUnmodifiedSince: 1769860800000,
        acceptedAt: f.clock.now(),
        jobId: expect.stringMatching(/^[\w-]{16}\.0$/),
      },
    ]);
  });

  it('answers 202 with nothing queued for a Jira issue without a Jama id or of another event type', async () => {
    const { mapping } = exampleSource('jira');
    const payload = docBlock('example:jira-payload') as { issue: { fields: Record<string, unknown> } };
    const unlinked = structuredClone(payload);
    delete unlinked.issue.fields.customfield_10100;
    await expect((await post(mapping, unlinked)).run()).resolves.toMatchObject({ accepted: 0, enqueued: 0 });
    const comment = { ...payload, webhookEvent: 'comment_created' };
    await expect((await post(mapping, comment)).run()).resolves.toMatchObject({
      accepted: 1,
      ignored: 1,
      enqueued: 0,
    });
  });

  it('maps the documented CI example: many changes, duplicates folded, skipped ones ignored', async () => {
    const { mapping } = exampleSource('ci');
    const { f, run } = await post(mapping, docBlock('example:ci-payload'));
    const result: IngestResult = await run();
    expect(result).toMatchObject({ accepted: 4, enqueued: 2, coalesced: 1, ignored: 1 });
    expect(f.queue.sent).toEqual([
      {
        v: 1,
        env: 'default',
        kind: 'pull',
        itemId: 4711,
        projectId: 20,
        documentKey: 'PROJ-REQ-12',
        occurredAt: Date.parse('2026-01-31T12:00:00Z'),
        acceptedAt: f.clock.now(),
      },
      { v: 1, env: 'default', kind: 'delete', itemId: 4712 },
    ]);
  });

  it('names the expression behind a bad value', async () => {
    const { mapping } = exampleSource('ci');
    const { run } = await post(mapping, { changes: [{ action: 'modified', jama: { id: 'x' } }] });
    await expect(run()).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/events\.0\.itemId \(from `jama\.id`\)/),
    });
  });

  it('turns a JMESPath runtime error on the payload into a 400', async () => {
    const mapping: MappingConfig = { type: "'item.updated'", itemId: 'length(id)' };
    const { run } = await post(mapping, { id: 5 });
    await expect(run()).rejects.toMatchObject({
      status: 400,
      code: 'WEBHOOK_SCHEMA',
      message: expect.stringMatching(/mapping `itemId`/),
    });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'does not let a type named %s reach into the type map prototype',
    (type) => {
      const mapping: MappingConfig = { type: 'kind', itemId: 'id', typeMap: { changed: 'item.updated' } };
      expect(applyMapping(mapping, { kind: type, id: 1 }).events).toEqual([{ type, itemId: 1 }]);
    },
  );

  it('selects events with `events`: an array, one object, or none', () => {
    const base: MappingConfig = { events: 'e', type: "'item.updated'", itemId: 'id' };
    expect(applyMapping(base, { e: [{ id: 1 }, { id: 2 }] }).events).toHaveLength(2);
    expect(applyMapping(base, { e: { id: 1 } }).events).toEqual([{ type: 'item.updated', itemId: 1 }]);
    expect(applyMapping(base, {}).events).toEqual([]);
    expect(applyMapping({ type: 't', itemId: 'id' }, { t: 'item.deleted', id: 3 }).events).toEqual([
      { type: 'item.deleted', itemId: 3 },
    ]);
  });

  it.each([
    ['a syntax error', { type: 'a.[', itemId: 'id' }, /mapping\.type: not a JMESPath expression/],
    ['an unknown key', { type: 'a', itemId: 'id', item: 'x' }, /mapping/],
    [
      'a bad typeMap target',
      { type: 'a', itemId: 'id', typeMap: { x: 'item.moved' } },
      /mapping\.typeMap\.x/,
    ],
  ])('refuses a mapping with %s when the configuration is loaded', (_name, mapping, reason) => {
    const result = webhookSourceSchema.safeParse({ name: 's', env: 'default', secret: SECRET, mapping });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toMatch(reason);
  });
});

describe('mapping work is bounded before it is done', () => {
  const mapping: MappingConfig = { events: 'xs', type: "'item.updated'", itemId: 'id' };

  it('refuses a body whose `events` selects more elements than it may map, without mapping any', () => {
    // About what fits in 256 KiB: {"id":1} × 131,000 would take ≈ 350 ms to map element by element.
    const xs = Array.from({ length: 131_000 }, (_, i) => ({ id: i + 1 }));
    let mapped = 0;
    const counting = { ...mapping, itemId: 'id' };
    Object.defineProperty(xs[0], 'id', { get: () => ++mapped, enumerable: true });
    expect(() => applyMapping(counting, { xs })).toThrow(/selected 131000 elements; at most 4000/);
    expect(mapped).toBe(0);
  });

  it('stops at the first event past the 1,000-event cap', () => {
    let mapped = 0;
    const xs = Array.from({ length: 3000 }, (_, i) => ({
      get id() {
        mapped++;
        return i + 1;
      },
    }));
    expect(() => applyMapping(mapping, { xs })).toThrow(/more than 1000 events/);
    expect(mapped).toBe(1000);
  });
});

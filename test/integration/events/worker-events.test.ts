import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { buildWorkerDeps, type WorkerDeps } from '../../../functions/sync-worker/build-deps';
import { loadConfig } from '../../../src/config';
import { runBatch } from '../../../src/core/worker/sync-engine';
import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { type TestAws, testAws } from '../../support/aws';
import { startFakeEventBridge } from '../../support/fake-eventbridge';

describe('the worker with JAMA_SYNC_EVENT_BUS set', () => {
  let aws: TestAws;
  let jama: JamaSimulator;
  let bus: Awaited<ReturnType<typeof startFakeEventBridge>>;
  let client: EventBridgeClient;
  let deps: WorkerDeps;

  beforeAll(async () => {
    aws = await testAws('worker-events');
    jama = await startJamaSimulator({
      projects: 1,
      itemsPerProject: 5,
      relationshipsPerItem: 1,
      rateLimit: 0,
    });
    bus = await startFakeEventBridge();
    client = new EventBridgeClient({
      endpoint: bus.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const config = loadConfig({
      JAMA_SYNC_URL: jama.url,
      JAMA_SYNC_CLIENT_ID: 'jama-sync',
      JAMA_SYNC_CLIENT_SECRET: 'jama-sync-secret',
      JAMA_SYNC_STATE_TABLE: aws.tables.state,
      JAMA_SYNC_MIRROR_TABLE: aws.tables.mirror,
      JAMA_SYNC_JOBS_QUEUE_URL: aws.queues.jobs.url,
      JAMA_SYNC_DLQ_URL: aws.queues.jobsDlq.url,
      JAMA_SYNC_EVENT_BUS: 'arn:aws:events:us-east-1:123456789012:event-bus/jama',
    });
    deps = await buildWorkerDeps(config, { dynamodb: aws.dynamodb(), sqs: aws.sqs(), eventBridge: client });
  });
  afterAll(async () => {
    await deps?.close();
    client?.destroy();
    await bus?.close();
    await jama?.close();
    await aws?.stop();
  });

  const pull = (itemId: number) => ({
    id: `m${itemId}`,
    body: JSON.stringify({ v: 1, env: 'default', kind: 'pull', itemId }),
  });
  const published = () => bus.calls.flatMap((c) => c.entries);

  it('publishes an item edit and a relink to the configured bus, and nothing for an unchanged re-read', async () => {
    const [item] = jama.items();
    const id = item?.id ?? 0;
    await runBatch([pull(id)], deps.engine);
    expect(published().map((e) => [e.DetailType, JSON.parse(e.Detail).change])).toEqual([
      ['Jama Item Changed', 'created'],
    ]);
    expect(published()[0]?.EventBusName).toBe('arn:aws:events:us-east-1:123456789012:event-bus/jama');

    jama.updateItem(id, { name: 'Renamed' });
    await runBatch([pull(id)], deps.engine);
    await runBatch([pull(id)], deps.engine); // unchanged: no event
    const edits = published().slice(1);
    expect(edits).toHaveLength(1);
    expect(JSON.parse(edits[0]?.Detail ?? '{}')).toMatchObject({
      change: 'updated',
      changedFields: ['name'],
      changes: [{ field: 'name', after: 'Renamed' }],
    });

    const link = jama.relationships()[0];
    const body = (relationshipId: number) =>
      JSON.stringify({
        v: 1,
        env: 'default',
        kind: 'relationship-pull',
        relationshipIds: [relationshipId],
        projectId: 20,
      });
    await runBatch([{ id: 'r1', body: body(link?.id ?? 0) }], deps.engine);
    jama.relink(link?.id ?? 0, { relationshipType: 7 });
    await runBatch([{ id: 'r2', body: body(link?.id ?? 0) }], deps.engine);
    const links = published()
      .filter((e) => e.DetailType === 'Jama Relationship Changed')
      .map((e) => JSON.parse(e.Detail));
    expect(links.map((l) => l.change)).toEqual(['created', 'updated']);
    expect(links[1]).toMatchObject({
      relationshipTypeName: 'Mitigated by',
      changedFields: ['relationshipType', 'relationshipTypeName'],
    });
  });
});

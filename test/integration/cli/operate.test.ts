import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { STACK_OUTPUTS } from '../../../src/infra/outputs';
import type { LocalState } from '../../../src/local/state-file';
import { runCli, startCli } from '../../support/cli';
import { openDashboard, type PageView } from '../../support/dashboard';
import { startFakeCloudFormation } from '../../support/fake-cloudformation';

const STACK_TRACE = /\n\s+at /;
/** The running stand-ins' per-run credentials, from the owner-only state file (they refuse any others). */
const ownerCredentials = (state: LocalState) =>
  state.aws.credentials as { accessKeyId: string; secretAccessKey: string };

describe('operator commands against a running `jama-sync local`', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'jama-sync-operate-'));
  let local: Awaited<ReturnType<typeof startCli>>;
  let state: LocalState;
  const cli = (...args: string[]) => runCli(args, { cwd });

  beforeAll(async () => {
    local = await startCli(
      ['local', '--items', '20', '--events-out', join(cwd, 'events.jsonl')],
      /keeps running/,
      {
        cwd,
        timeoutMs: 60_000,
      },
    );
    state = JSON.parse(readFileSync(join(cwd, '.jama-sync/local.json'), 'utf8'));
  }, 70_000);

  afterAll(async () => {
    local?.child.kill('SIGINT');
    await local?.exited;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('publishes where it runs in an owner-only state file, with a loopback ops endpoint', () => {
    expect(statSync(join(cwd, '.jama-sync/local.json')).mode & 0o777).toBe(0o600);
    expect(state.ops.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(state.webhook.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.output()).toMatch(/source 'demo' signs with secret '[\w-]{32}'/);
  });

  it('status: queues, limiter, Jama calls, webhook events, reconcile runs and the mirror', async () => {
    const text = await cli('status');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/dead letters\s+0/);
    expect(text.stdout).toMatch(/default: rate [\d.]+\/s/);
    const json = await cli('status', '--json');
    const status = JSON.parse(json.stdout);
    expect(status.kind).toBe('local');
    expect(status.queues.map((q: { name: string }) => q.name)).toEqual(['jobs', 'reconcile', 'dead letters']);
    expect(status.limiters[0]).toMatchObject({ env: 'default', used: true });
    expect(status.counters.jama.calls).toBeGreaterThan(0);
    expect(status.counters.webhook.events).toBeGreaterThan(0);
    expect(status.counters.reconcile.runs).toBeGreaterThanOrEqual(2);
    expect(status.mirror.items).toBeGreaterThan(50);
    expect(status.mirror.relationships).toBeGreaterThan(20);
    expect(text.stdout).toMatch(/^Relationships\s+\d+ links \(\+\d+ tombstones\)$/m);
  });

  it("export --kind relationships writes the links; --kind all both kinds; --events-out has the demo's changes", async () => {
    const links = await cli('export', '--kind', 'relationships', '--live');
    expect(links.code).toBe(0);
    const rows = links.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      expect(r).toMatchObject({ env: 'default', kind: 'relationship', deleted: false });
      expect(typeof r.relationshipTypeName).toBe('string');
    }
    const all = await cli('export', '--kind', 'all', '--live');
    expect(all.stdout.trim().split('\n')).toHaveLength(
      rows.length + (await cli('export', '--live')).stdout.trim().split('\n').length,
    );
    const wrong = await cli('export', '--kind', 'links');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/Expected `--kind` to be `items`, `relationships` or `all`, got `links`/);

    const events = readFileSync(join(cwd, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const types = new Set(events.map((e) => e['detail-type']));
    expect(types).toEqual(new Set(['Jama Item Changed', 'Jama Item Deleted', 'Jama Relationship Changed']));
    const renamed = events.find(
      (e) => e['detail-type'] === 'Jama Item Changed' && e.detail.change === 'updated',
    );
    expect(renamed).toMatchObject({
      source: 'jama-sync',
      detail: { env: 'default', changedFields: ['name'] },
    });
    expect(renamed.detail.changes[0].after).toMatch(/\(edited\)$/);
  });

  it('export writes one JSON row per line; enqueue takes ids and document keys', async () => {
    const out = join(cwd, 'mirror.jsonl');
    const exported = await cli('export', '--out', out, '--live');
    expect(exported.code).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(exported.stderr).toContain(`Exported ${rows.length} rows`);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.every((r) => r.env === 'default' && !r.deleted && r.item)).toBe(true);
    const [a, b] = rows;
    expect(await cli('enqueue', '--id', String(a.itemId))).toMatchObject({
      code: 0,
      stdout: `Queued 1 pull (default): item ${a.itemId}.\n`,
    });
    const byKey = await cli('enqueue', '--document-key', b.documentKey);
    expect(byKey.stdout).toContain(`item ${b.itemId}`);
    const unknown = await cli('enqueue', '--document-key', 'NOPE-1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Not in the mirror of default: NOPE-1\. Enqueue them by item id/);
  });

  it('dlq list shows each dead letter with its reason; redrive moves it back with fresh attempts', async () => {
    const owner = { region: state.aws.region, credentials: ownerCredentials(state) };
    const sqs = new SQSClient({ ...owner, endpoint: state.aws.sqs });
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ ...owner, endpoint: state.aws.dynamodb }));
    // An item whose mirror row is gone: the redriven pull must bring it back.
    const [some] =
      (
        await ddb.send(
          new QueryCommand({
            TableName: state.tables.mirror,
            KeyConditionExpression: '#env = :env',
            ExpressionAttributeNames: { '#env': 'env' },
            ExpressionAttributeValues: { ':env': 'default' },
            Limit: 1,
          }),
        )
      ).Items ?? [];
    const itemId = Number(some?.itemId);
    const key = { TableName: state.tables.mirror, Key: { env: 'default', itemId } };
    await ddb.send(new DeleteCommand(key));
    const poison = { v: 1, env: 'default', kind: 'pull', itemId, meta: { failures: 5, throttles: 0 } };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: state.queues.deadLetter,
        MessageBody: JSON.stringify(poison),
        MessageAttributes: {
          'jama-sync-reason': {
            DataType: 'String',
            StringValue: `Jama failed on GET /rest/v1/items/${itemId} (503)`,
          },
        },
      }),
    );
    sqs.destroy();
    // status dates the oldest dead letter by peeking; the peek must not leave it "in flight".
    for (let i = 0; i < 2; i++) {
      const dlq = JSON.parse((await cli('status', '--json')).stdout).queues[2];
      expect(dlq).toMatchObject({ name: 'dead letters', visible: 1, inFlight: 0 });
      expect(dlq.oldestAgeSeconds).toEqual(expect.any(Number));
    }
    const list = await cli('dlq', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(
        `pull default item ${itemId}, 5 failed attempts\\n\\s+reason: Jama failed on GET /rest/v1/items/${itemId} \\(503\\)`,
      ),
    );
    const redrive = await cli('dlq', 'redrive', '--all');
    expect(redrive).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Moved 1 message back with fresh attempts: 1 to the jobs queue/),
    });
    expect((await cli('dlq', 'list')).stdout).toContain('No dead letters.');
    // The pull ran again, on the jobs queue: the item is back in the mirror.
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 40 && !row; i++) {
      row = (await ddb.send(new GetCommand(key))).Item;
      if (!row) await new Promise((r) => setTimeout(r, 250));
    }
    ddb.destroy();
    expect(row).toMatchObject({ deleted: false, itemId });
    const bare = await cli('dlq', 'redrive');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/Say which dead letters: `--all` or `--id/);
  });

  it('reconcile --mode incremental starts a run through the local process and waits for it', async () => {
    const run = await cli('reconcile', '--mode', 'incremental');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Started incremental run \S+ for default\/20, default\/21, default\/22\./);
    expect(run.stdout).toMatch(/finished in .*: 3 project\(s\)\./);
    expect(run.stdout).toMatch(
      /^ {2}default: \d+ written to the mirror \(new or changed\), \d+ tombstoned\.$/m,
    );
    // What does not exist in Jama is refused, not "started".
    const missing = await cli('reconcile', '--mode', 'full', '--project', '99');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /Project\(s\) 99 not found in Jama \(default\); the API user sees: 20, 21, 22\./,
    );
    const unknown = await cli('enqueue', '--id', '999999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Jama \(default\) has no item 999999: nothing queued/);
  });

  it('serves a live dashboard, in a real headless browser: the chart moves during a reconcile; figures match `status --json`', async () => {
    const url = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/dashboard#token=[\w-]+)/.exec(local.output())?.[1];
    expect(url).toBeDefined();
    // Without the token the data is refused (the page itself holds none).
    expect((await fetch(`${state.ops.url}/dashboard/data`)).status).toBe(401);
    const page = await openDashboard(url as string);
    try {
      const before = await page.read(Date.now());
      expect(before).toMatchObject({ title: 'jama-sync local', problem: '', errors: [] });
      const calls = (v: PageView) => Number(v.figures['jama.default.calls']);
      const recentAccepted = (v: PageView) =>
        (v.charts[0]?.accepted ?? '')
          .split(' ')
          .slice(-15)
          .some((p) => Number(p.split(',')[1]) < 140);
      const run = cli('reconcile', '--mode', 'full');
      let finished = false;
      void run.then(() => {
        finished = true;
      });
      const during: PageView[] = [];
      while (!finished) during.push(await page.read(Date.now()));
      expect((await run).code).toBe(0);
      expect(during.some((v) => calls(v) > calls(before))).toBe(true);
      expect(new Set(during.map((v) => v.charts[0]?.accepted)).size).toBeGreaterThan(1);
      expect(during.some(recentAccepted)).toBe(true);
      // Once idle, every figure the page shows is the one `status --json` reports.
      for (let quiet = 0, i = 0; quiet < 2 && i < 60; i++) {
        const idle = (await page.read(Date.now())).queues.every((r) => r.slice(1, 4).every((n) => n === '0'));
        quiet = idle ? quiet + 1 : 0;
      }
      const status = JSON.parse((await cli('status', '--json')).stdout);
      const after = await page.read(Date.now());
      const env = status.counters.jama.environments[0];
      expect(after.figures).toMatchObject({
        'jama.default.calls': String(env.calls),
        'jama.default.throttled': String(env.throttled),
        'jama.default.busiestSecond': String(env.busiestSecond),
        'jama.default.rateLimit': String(env.rateLimit),
        'mirror.items': String(status.mirror.items),
        'mirror.tombstones': String(status.mirror.tombstones),
        dlq: '0',
      });
      expect(after.queues.map((r) => r.slice(0, 4))).toEqual(
        status.queues.map((q: { name: string; visible: number; inFlight: number; delayed: number }) =>
          [q.name, q.visible, q.inFlight, q.delayed].map(String),
        ),
      );
      expect(after.runs).toBeGreaterThan(0);
      expect(after.last).toBeGreaterThan(0);
      expect(Number(after.figures['latency.count'])).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('works on a deployed stack found through its CloudFormation outputs', async () => {
    const cfn = await startFakeCloudFormation({
      JamaSync: {
        [STACK_OUTPUTS.jobsQueueUrl]: state.queues.jobs,
        [STACK_OUTPUTS.reconcileQueueUrl]: state.queues.reconcile,
        [STACK_OUTPUTS.deadLetterQueueUrl]: state.queues.deadLetter,
        [STACK_OUTPUTS.stateTable]: state.tables.state,
        [STACK_OUTPUTS.mirrorTable]: state.tables.mirror ?? '',
        [STACK_OUTPUTS.environments]: 'default',
        [STACK_OUTPUTS.dashboardUrl]: 'https://console.example/dashboards/JamaSync',
      },
    });
    const env = {
      // A deployed stack takes the SDK's default credentials; here the local stand-ins' own.
      AWS_ACCESS_KEY_ID: ownerCredentials(state).accessKeyId,
      AWS_SECRET_ACCESS_KEY: ownerCredentials(state).secretAccessKey,
      AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url,
      AWS_ENDPOINT_URL_SQS: state.aws.sqs,
      AWS_ENDPOINT_URL_DYNAMODB: state.aws.dynamodb,
    };
    try {
      // The region from AWS_DEFAULT_REGION, as the AWS CLI reads it (the JavaScript SDK does not).
      const status = await runCli(['status', '--stack', 'JamaSync'], {
        cwd,
        env: { ...env, AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' },
      });
      expect(status).toMatchObject({ code: 0, stderr: '' });
      expect(status.stdout).toContain('jama-sync status: stack JamaSync in us-east-1');
      expect(status.stdout).toContain('see the dashboard https://console.example/dashboards/JamaSync');
      expect(status.stdout).toMatch(/Mirror\s+≈\d+ items/);
      const missing = await runCli(['status', '--stack', 'nope', '--region', 'us-east-1'], { cwd, env });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(
        'jama-sync status: Stack nope not found in us-east-1: deploy it with `npx cdk deploy` or pass --region.\n',
      );
    } finally {
      await cfn.close();
    }
  });

  it('stops on SIGHUP (the terminal closed) and removes its state file', async () => {
    local.child.kill('SIGHUP');
    expect(await local.exited).toBe(129);
    expect(existsSync(join(cwd, '.jama-sync/local.json'))).toBe(false);
  });
});

describe('operator commands without a target', () => {
  const empty = mkdtempSync(join(tmpdir(), 'jama-sync-none-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('say how to start a local jama-sync when none runs here', async () => {
    const { code, stderr } = await runCli(['status'], { cwd: empty });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^jama-sync status: No local jama-sync is running here .*start one with `npm start`/,
    );
  });

  it('say how to provide AWS credentials when there are none, without a stack trace', async () => {
    const env: NodeJS.ProcessEnv = {
      AWS_SHARED_CREDENTIALS_FILE: join(empty, 'none'),
      AWS_CONFIG_FILE: join(empty, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      env[key] = '';
    const { code, stderr } = await runCli(['status', '--stack', 'nope', '--region', 'us-east-1'], {
      cwd: empty,
      env,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/No AWS credentials found to describe stack nope in us-east-1: set AWS_PROFILE/);
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it.each([
    [['dlq'], /Expected `jama-sync dlq list` or `jama-sync dlq redrive`/],
    [['enqueue'], /Say which items: `--id 4711,4712` or `--document-key/],
    [
      ['reconcile', '--mode', 'sometimes'],
      /Expected `--mode` to be `incremental` or `full`, got `sometimes`/,
    ],
    [['status', '--local', '--stack', 'X'], /Give either `--local` or `--stack NAME`, not both/],
  ])('reject %j with a usage message', async (args, message) => {
    const { code, stderr } = await runCli(args, { cwd: empty });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it.each(['status', 'enqueue', 'reconcile', 'dlq', 'export', 'local'])(
    '%s --help shows examples',
    async (name) => {
      const { code, stdout } = await runCli([name, '--help'], { cwd: empty });
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(`Usage: jama-sync ${name}[\\s\\S]*Examples:\\n  (npx jama-sync|npm start)`),
      );
    },
  );
});

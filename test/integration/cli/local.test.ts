import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJamaSimulator } from '../../../src/simulator/server';
import { runCli, startCli } from '../../support/cli';

const cwd = mkdtempSync(join(tmpdir(), 'jama-sync-local-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (args: string[]) => runCli(args, { cwd });

describe('jama-sync local', () => {
  it('says how to fix an unreachable Jama URL, without a stack trace', async () => {
    const { code, stderr } = await run([
      'local',
      '--jama-url',
      'http://127.0.0.1:9',
      '--client-id',
      'a',
      '--client-secret',
      'b',
      '--projects',
      '20',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Cannot reach Jama at http:\/\/127\.0\.0\.1:9.*--jama-url/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says which credentials Jama refused and that REST needs a Named Creator licence', async () => {
    const jama = await startJamaSimulator({ projects: 1, itemsPerProject: 1 });
    try {
      const args = [
        '--jama-url',
        jama.url,
        '--client-id',
        'wrong',
        '--client-secret',
        'wrong',
        '--projects',
        '20',
      ];
      const { code, stderr } = await run(['local', ...args, '--until-idle']);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /Jama refused POST \/rest\/oauth\/token \(401\).*Named Creator licence.*--client-id, --client-secret-file/,
      );
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await jama.close();
    }
  });

  it('runs the demo until idle and prints a JSON summary: mirror equal to Jama, no second above the limit', async () => {
    // What `npm start -- --until-idle --json` runs, on the default demo data (3 projects × 200 items).
    const { code, stdout, stderr } = await run(['local', '--until-idle', '--json']);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({
      mirrorMatches: true,
      relationshipsMatch: true,
      deadLetters: 0,
      jama429s: 0,
      rateLimit: 10,
    });
    expect(summary.relationshipsInMirror).toBeGreaterThan(300);
    expect(summary.itemsInMirror).toBeGreaterThan(500);
    expect(summary.tombstones).toBeGreaterThan(0);
    expect(summary.maxCallsInAnySecond).toBeLessThanOrEqual(10);
    // The demo went through the webhook over HTTP (signed, duplicates included) and the reconcile function.
    expect(summary.webhookEvents).toBeGreaterThan(20);
    expect(summary.reconcileRuns).toBe(2);
    expect(stderr).toMatch(
      /^synced \d+ items \(\+\d+ tombstones\) · backlog \d+ · DLQ 0 · [\d.]+\/10 calls\/s · 429s 0$/m,
    );
    // One set of numbers: counted per environment in the Jama client, the same figures `status` shows.
    expect(summary).toMatchObject({
      countedAt: 'Jama client',
      environments: [{ env: 'default', rateLimit: 10 }],
    });
    expect(summary.environments[0].calls).toBe(summary.jamaCalls);
    expect(summary.environments[0].busiestSecond).toBe(summary.maxCallsInAnySecond);
    expect(summary.itemsPerCall).toBe(Math.round(summary.itemsPerCall * 100) / 100);
    // It removed its state file on the way out.
    expect(existsSync(join(cwd, '.jama-sync/local.json'))).toBe(false);
  });

  it.each([
    [['local', '--projects', 'abc'], /Expected `--projects` to be project ids/],
    [['local', '--jama-url', 'https://acme.jamacloud.com'], /`--projects` is required with `--jama-url`/],
    [['local', '--rate', '0'], /Expected `--rate` to be a number ≥ 0.1/],
    [['local', '--background-share', '1.5'], /Expected `--background-share` to be a number in \(0, 1\]/],
    [['local', '--frobnicate'], /Unknown option `--frobnicate`.*jama-sync local --help/],
    [
      ['local', '--items', '5', '--projects', '20,99'],
      /Project\(s\) 99 not found in Jama; these are visible: 20, 21, 22/,
    ],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('jama-sync local stops cleanly on a signal (SIGHUP when idle: operate.test.ts)', () => {
  const stateFile = join(cwd, '.jama-sync/local.json');

  it('SIGTERM in the middle of a busy run at --rate 100 (--allow-high-rate): out within seconds', async () => {
    const busy = await startCli(
      ['local', '--rate', '100', '--allow-high-rate', '--items', '1000', '--reconcile-every', '10s'],
      /1\/3 Full reconciliation/,
      { cwd },
    );
    expect(existsSync(stateFile)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    const sent = Date.now();
    busy.child.kill('SIGTERM');
    const code = await busy.exited;
    expect(Date.now() - sent).toBeLessThan(7000);
    expect(code).toBe(143);
    expect(busy.output()).toMatch(/Warning: --rate 100 is above/);
    expect(busy.output()).toMatch(/Stopping \(SIGTERM\)/);
    expect(existsSync(stateFile)).toBe(false);
  });
});

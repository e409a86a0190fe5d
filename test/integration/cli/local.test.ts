import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/jama-sync.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

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

  it('runs the demo until idle and prints a JSON summary: mirror equal to Jama, no second above the limit', async () => {
    const { code, stdout, stderr } = await run(['local', '--until-idle', '--json', '--items', '60']);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ mirrorMatches: true, deadLetters: 0, jama429s: 0, rateLimit: 10 });
    expect(summary.itemsInMirror).toBeGreaterThan(150);
    expect(summary.tombstones).toBeGreaterThan(0);
    expect(summary.maxCallsInAnySecond).toBeLessThanOrEqual(10);
  });

  it.each([
    [['local', '--projects', 'abc'], /Expected `--projects` to be project ids/],
    [['local', '--jama-url', 'https://acme.jamacloud.com'], /`--projects` is required with `--jama-url`/],
    [['local', '--rate', '0'], /Expected `--rate` to be a number ≥ 0.1/],
    [['local', '--frobnicate'], /Unknown option '--frobnicate'.*jama-sync local --help/],
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

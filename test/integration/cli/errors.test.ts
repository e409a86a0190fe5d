import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../../src/cli/main';
import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';

/** Runs `jama-sync <argv>` in this process with `env` as its environment; collects what it prints. */
async function run(argv: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let out = '';
  let err = '';
  try {
    const code = await main(argv, {
      out: (t) => {
        out += `${t}\n`;
      },
      err: (t) => {
        err += `${t}\n`;
      },
    });
    return { code, out, err };
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'jama-sync-errors-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, 'admin\n', { mode: 0o600 });
let jama: JamaSimulator;
let tls: Server;
let tlsUrl: string;

const home = process.cwd();
beforeAll(async () => {
  // `local` publishes .jama-sync/local.json in its working directory.
  process.chdir(dir);
  jama = await startJamaSimulator({ projects: 1, itemsPerProject: 2 });
  const fixtures = resolve(__dirname, '../../fixtures/tls');
  tls = createServer({
    key: readFileSync(join(fixtures, 'self-signed.key')),
    cert: readFileSync(join(fixtures, 'self-signed.crt')),
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.chdir(home);
  await jama.close();
  await new Promise((r) => tls.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const creds = ['--client-id', 'jama-sync', '--client-secret-file', secretFile, '--projects', '20'];

describe('errors a person can act on (each a case a user can cause; no stack trace, never "a bug")', () => {
  it.each([
    [
      ['local', '--jama-url', '127.0.0.1:39071'],
      {},
      /Expected `--jama-url` to be a URL like https:\/\/tenant\.jamacloud\.com, got `127\.0\.0\.1:39071` \(add the scheme/,
    ],
    [
      ['local', '--jama-url', 'https://acme.jamacloud.com', '--projects', '20'],
      {},
      /^jama-sync local: Jama needs credentials: `--client-id ID --client-secret-file FILE`/,
    ],
    [
      ['local', '--jama-url', 'https://acme.jamacloud.com', '--client-id', 'ci', '--projects', '20'],
      {},
      /`--client-id` needs its secret: `--client-secret-file FILE`/,
    ],
    [
      ['local', '--client-secret', '   ', '--jama-url', 'https://a.example'],
      {},
      /`--client-secret` is blank/,
    ],
    [
      ['local', '--client-secret-file', join(dir, 'none'), '--jama-url', 'https://a.example'],
      {},
      /Cannot read `--client-secret-file` .*none: ENOENT/,
    ],
    [
      ['local', '--rate', '1000'],
      {},
      /`--rate 1000` is above Jama's limit of 10 calls\/s.*add `--allow-high-rate`/,
    ],
    [['local', '--rate', '0x10'], {}, /Expected `--rate` to be a number ≥ 0\.1, got `0x10`/],
    [
      ['local'],
      { JAMA_SYNC_RATE_LIMIT: '0x10' },
      /Expected `JAMA_SYNC_RATE_LIMIT` to be a number ≥ 0\.1, got `0x10`/,
    ],
    [
      ['local', '--webhook-port', '99999'],
      {},
      /Expected `--webhook-port` to be an integer from 1 to 65535, got `99999`/,
    ],
    [
      ['local', '--reconcile-every', '1ms'],
      {},
      /Expected `--reconcile-every` to be at least 10 s \(or 0 for off\), got `1ms`/,
    ],
    [['local', '--jsno'], {}, /Unknown option `--jsno` for `jama-sync local`\. Did you mean `--json`\?/],
    [['local', '--rate'], {}, /`--rate` needs a value/],
    [['stauts'], {}, /Unknown command `stauts`\. Did you mean `status`\?/],
    [
      ['local', '--forward-url', 'https://hooks.example.com/x'],
      {},
      /`--forward-url` needs `--forward-secret S`/,
    ],
    [
      ['local', '--forward-url', 'https://hooks.example.com/x', '--forward-secret', 'short'],
      {},
      /`--forward-secret` needs at least 16 characters/,
    ],
  ] as const)('%j %j', async (argv, env, message) => {
    const { code, err } = await run([...argv], env);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at |a bug/);
  });

  it('a self-signed certificate: says to trust its CA with NODE_EXTRA_CA_CERTS', async () => {
    const { code, err } = await run(['local', '--jama-url', tlsUrl, ...creds, '--until-idle']);
    expect(code).toBe(1);
    expect(err).toMatch(
      /presents a certificate this machine does not trust .*NODE_EXTRA_CA_CERTS=\/path\/to\/ca\.pem.*\(DEPTH_ZERO_SELF_SIGNED_CERT/,
    );
    expect(err).not.toMatch(/\n\s+at |a bug/);
  });

  it('https:// against a plain-HTTP server: says to use http:// (the wrong scheme)', async () => {
    const { code, err } = await run([
      'local',
      '--jama-url',
      jama.url.replace('http:', 'https:'),
      ...creds,
      '--until-idle',
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(
      /does not speak TLS there: the server answers plain HTTP\. Use http:\/\/… in --jama-url/,
    );
    expect(err).not.toMatch(/\n\s+at |a bug/);
  });

  it('a refused login: one clean message, the licence advice once', async () => {
    const { code, err } = await run([
      'local',
      '--jama-url',
      jama.url,
      '--username',
      'admin',
      '--password',
      'wrong',
      '--projects',
      '20',
      '--until-idle',
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(
      /Jama refused .* \(401\).*Check the username and password \(--username, --password-file/,
    );
    expect(err.match(/licen[cs]e/gi)).toHaveLength(1);
    expect(err).not.toMatch(/\.\.|\n\s+at |a bug/);
  });

  it('--username with --password-file signs in with basic auth and syncs', async () => {
    const { code, out, err } = await run([
      'local',
      '--jama-url',
      jama.url,
      '--username',
      'admin',
      '--password-file',
      secretFile,
      '--projects',
      '20',
      '--until-idle',
    ]);
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/Synced 2 items \(\+0 tombstones\)/);
  });
});

describe('conventions', () => {
  it('--version, help <command>, and a clear message instead of an undici crash on Node < 22.12', async () => {
    let out = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: () => undefined,
    };
    expect(await main(['--version'], io, undefined, { version: '1.2.3' })).toBe(0);
    expect(out).toBe('jama-sync 1.2.3');
    out = '';
    expect(await main(['help', 'status'], io)).toBe(0);
    expect(out).toMatch(/^Usage: jama-sync status/);
    // The real entry point on an older Node (its version faked before anything loads).
    const old = spawnSync(
      process.execPath,
      [
        '--import',
        'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})',
        resolve(__dirname, '../../../bin/jama-sync.js'),
        '--version',
      ],
      { encoding: 'utf8' },
    );
    expect(old.status).toBe(1);
    expect(old.stderr).toMatch(/^jama-sync needs Node\.js 22\.12 or newer; this is Node\.js 20\.19\.0/);
    const current = spawnSync(
      process.execPath,
      [resolve(__dirname, '../../../bin/jama-sync.js'), '--version'],
      {
        encoding: 'utf8',
      },
    );
    expect(current.stdout).toMatch(/^jama-sync \d+\.\d+\.\d+\n$/);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './support';

/** The environment of a machine with no AWS credentials and no AWS endpoint to ask. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  return {
    ...env,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function cdkSynth(out: string, context: string[]) {
  return spawnSync(
    'npx',
    ['cdk', 'synth', '--no-notices', '-q', '-o', out, ...context.flatMap((c) => ['-c', c])],
    { cwd: PROJECT_ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 150_000 },
  );
}

const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

describe('npx cdk synth', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'jama-sync-cdk-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('synthesizes offline, bundling the handlers with the local esbuild; cfn-lint finds nothing', () => {
    const run = cdkSynth(out, [
      'jamaUrl=https://acme.jamacloud.com',
      'projects=20,21',
      'forwardUrl=https://hooks.example.com/jama',
      'alarmEmail=ops@example.com',
    ]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

    const templatePath = path.join(out, 'JamaSync.template.json');
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(2);

    // Each bundle is one ESM file that Node can load without AWS (clients are built on first use).
    const bundles = readdirSync(out)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(out, d, 'index.mjs'));
    expect(bundles.length).toBeGreaterThanOrEqual(1);
    for (const bundle of bundles) {
      expect(existsSync(bundle)).toBe(true);
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); if (typeof m.handler !== 'function') process.exit(3);`,
        ],
        { env: offlineEnv(), encoding: 'utf8', timeout: 30_000 },
      );
      expect({ bundle, status: load.status, stderr: load.stderr }).toEqual({ bundle, status: 0, stderr: '' });
    }

    if (onPath('cfn-lint')) {
      const lint = spawnSync('cfn-lint', [templatePath], { encoding: 'utf8', timeout: 120_000 });
      expect({ status: lint.status, findings: lint.stdout + lint.stderr }).toEqual({
        status: 0,
        findings: '',
      });
    }
  }, 240_000);

  it('fails on invalid configuration with the message and no stack trace', () => {
    const run = cdkSynth(out, ['jamaUrl=http://jama.internal', 'projects=20']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      'Invalid jama-sync configuration (CDK context):\n  - jamaUrl: give an https:// URL',
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});

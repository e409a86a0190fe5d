import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const tsx = resolve(root, 'node_modules/.bin/tsx');

/** Runs a benchmark script with `args`, as `npm run bench:…` would. */
function bench(script: string, args: string[]) {
  return spawnSync(tsx, [resolve(root, 'bench', script), ...args], { encoding: 'utf8', cwd: root });
}

describe('benchmark command lines', () => {
  it('print their usage for --help and run nothing', () => {
    const r = bench('limiter-model.ts', ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run bench:limiter-model/);
    expect(r.stdout).toContain('--limiter JSON');
    expect(r.stdout).not.toContain('| scenario |');
  }, 30_000);

  it.each([
    ['limiter-model.ts', ['--bogus'], /^bench:limiter-model: Unknown option '--bogus'/],
    ['limiter-model.ts', ['--limiter', '{nope'], /^bench:limiter-model: Expected `--limiter` to be JSON/],
    [
      'limiter.ts',
      ['--workers', 'many'],
      /^bench:limiter: Expected `--workers` to be a whole number ≥ 1, got `many`/,
    ],
    [
      'environments.ts',
      ['--environments', '2'],
      /^bench:environments: Expected `--environments` to be a whole number from 3 to 50, got `2`/,
    ],
    ['index.ts', ['--quick', '--seed=0'], /^bench: Expected `--seed` to be a whole number ≥ 1, got `0`/],
    [
      'reconcile.ts',
      ['--only', 'nothing'],
      /^bench:reconcile: --only nothing matches no scenario; choose from alone-1x20000/,
    ],
  ])(
    'name what was wrong in %s %j, show the usage, exit 2, no stack',
    (script, args, message) => {
      const r = bench(script, args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('Usage: npm run bench');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    },
    30_000,
  );
});

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { BASIC } from './http';

const ROOT = resolve(__dirname, '../../..');

/** Resolves with the first match of `pattern` in the child's stdout. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolveMatch, reject) => {
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) resolveMatch(match[0]);
    });
    child.once('exit', (code) =>
      reject(new Error(`simulator exited with ${code} before printing its URL:\n${output}`)),
    );
  });
}

describe('jama-sync simulator (CLI)', () => {
  it('prints its URL, serves the REST API, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/jama-sync.js', 'simulator', '--port', '0', '--items', '5'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    try {
      const url = await waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+/);
      const res = await fetch(`${url}/rest/v1/projects`, { headers: { Authorization: BASIC } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: unknown[]; meta: { pageInfo: { totalResults: number } } };
      expect(body.meta.pageInfo.totalResults).toBe(3);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses an invalid flag with exit code 2 and a message naming it', async () => {
    const child = spawn(process.execPath, ['bin/jama-sync.js', 'simulator', '--rate', 'fast'], { cwd: ROOT });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('Expected `--rate` to be an integer ≥ 0, got `fast`.');
  });
});

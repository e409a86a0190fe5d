import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** What the dashboard page shows, as test/support/dashboard-driver.mjs reads it from the DOM. */
export interface PageView {
  title: string;
  updated: number;
  problem: string;
  figures: Record<string, string>;
  charts: { env: string; accepted: string; throttled: string }[];
  queues: string[][];
  runs: number;
  last: number;
  errors: string[];
}

/** Opens `url` in headless Chromium (in a child process); `read(t)` resolves with the page once it shows data newer than `t`. */
export async function openDashboard(url: string) {
  const child = spawn(process.execPath, [resolve(__dirname, 'dashboard-driver.mjs'), url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`the dashboard driver exited: ${stderr}`);
    return line.value;
  };
  expectLine(await next(), 'ready');
  return {
    async read(after: number): Promise<PageView> {
      child.stdin.write(`read ${after}\n`);
      return JSON.parse(await next()) as PageView;
    },
    async close() {
      child.stdin.end();
      await new Promise((done) => child.on('close', done));
    },
  };
}

function expectLine(line: string, expected: string) {
  if (line !== expected)
    throw new Error(`expected \`${expected}\` from the dashboard driver, got \`${line}\``);
}

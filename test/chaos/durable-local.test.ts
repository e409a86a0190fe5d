import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '../../src/core/signature';
import { type JamaSimulator, startJamaSimulator } from '../../src/simulator/server';
import { BIN } from '../support/cli';
import { CHAOS } from './scale';

/**
 * `jama-sync local` against a real Jama (the simulator in its own server): 300 pushes answered 202,
 * then SIGKILL at once. With its state on disk, the restart applies every one of them.
 */
const SECRET = 'durable-local-webhook-secret-0123';
/** The 300 under `npm run test:chaos`; fewer inside `npm test` (each costs a PATCH and a read at 10/s). */
const PUSHES = CHAOS.items >= 2000 ? 300 : 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

jest.setTimeout(180_000);

describe('jama-sync local keeps acknowledged work on disk', () => {
  let jama: JamaSimulator | undefined;
  let child: ChildProcess | undefined;
  const cwd = mkdtempSync(join(tmpdir(), 'jama-sync-durable-'));
  afterAll(async () => {
    child?.kill('SIGKILL');
    await jama?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  const start = (extra: string[]) => {
    const proc = spawn(
      process.execPath,
      [BIN, 'local', '--jama-url', jama?.url ?? '', '--client-id', 'jama-sync', ...extra],
      {
        cwd,
        env: {
          ...process.env,
          CI: 'true',
          JAMA_SYNC_CLIENT_SECRET: 'jama-sync-secret',
          JAMA_SYNC_WEBHOOK_SOURCES: JSON.stringify([{ name: 'ops', secret: SECRET }]),
        },
      },
    );
    let output = '';
    proc.stdout?.on('data', (d) => {
      output += d;
    });
    proc.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    return { proc, output: () => output, exited };
  };

  it(`loses none of ${PUSHES} pushes answered 202 when killed with SIGKILL right after`, async () => {
    jama = await startJamaSimulator({ projects: 1, itemsPerProject: PUSHES, seed: 21 });
    const items = jama.items();
    const first = start(['--projects', '20', '--reconcile-every', '0']);
    child = first.proc;
    const stateFile = join(cwd, '.jama-sync', 'local.json');
    for (let i = 0; i < 600 && !existsSync(stateFile); i++) await sleep(100);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { webhook: { url: string } };

    let accepted = 0;
    for (let i = 0; i < items.length; i += 10) {
      const events = items.slice(i, i + 10).map((it) => ({
        type: 'item.push',
        itemId: it.id,
        fields: { name: `pushed ${it.id}` },
      }));
      const body = JSON.stringify({ events });
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await fetch(`${state.webhook.url}/webhooks/ops`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-jama-sync-timestamp': String(timestamp),
          'x-jama-sync-signature': sign(SECRET, timestamp, body),
        },
        body,
      });
      if (res.status === 202) accepted += events.length;
    }
    first.proc.kill('SIGKILL');
    await first.exited;
    const appliedBefore = jama
      .items()
      .filter((it) => it.fields.name?.toString().startsWith('pushed ')).length;
    expect(accepted).toBe(PUSHES);

    const second = start(['--projects', '20', '--until-idle', '--json', '--reconcile-every', '0']);
    child = second.proc;
    const code = await second.exited;
    const applied = jama.items().filter((it) => it.fields.name === `pushed ${it.id}`).length;
    process.stdout.write(
      `durable local: ${PUSHES} pushes answered 202; ${appliedBefore} applied before SIGKILL, ${applied} after the restart (exit ${code})\n`,
    );
    expect({ code, applied }).toEqual({ code: 0, applied: PUSHES });
  });

  it('resumes a full reconciliation killed with SIGKILL midway instead of starting over', async () => {
    await jama?.close();
    jama = await startJamaSimulator({ projects: 2, itemsPerProject: 500, seed: 22 });
    const sim = jama;
    rmSync(join(cwd, '.jama-sync'), { recursive: true, force: true });
    const pages = () =>
      sim.calls().filter((c) => c.path.startsWith('/rest/v1/abstractitems') && c.status === 200);
    const first = start(['--projects', '20,21', '--reconcile-every', '0']);
    child = first.proc;
    for (let i = 0; i < 600 && pages().length < 8; i++) await sleep(50);
    first.proc.kill('SIGKILL');
    await first.exited;
    const before = new Set(pages().map((c) => c.path));
    const second = start(['--projects', '20,21', '--until-idle', '--json', '--reconcile-every', '0']);
    child = second.proc;
    const code = await second.exited;
    const after = pages().slice(before.size);
    const repeated = after.filter((c) => before.has(c.path)).length;
    process.stdout.write(
      `durable local: full run killed after ${before.size} pages; the restart read ${after.length} more, ${repeated} of them again (exit ${code})\n`,
    );
    expect(code).toBe(0);
    // Only pages in flight at the kill are read again: each project's one reader may have had two
    // (one answered but not yet in its cursor, and the next one it was reading meanwhile).
    expect(repeated).toBeLessThanOrEqual(4);
    // And no page is read more than twice.
    const reads = new Map<string, number>();
    for (const c of pages()) reads.set(c.path, (reads.get(c.path) ?? 0) + 1);
    expect(Math.max(...reads.values())).toBeLessThanOrEqual(2);
  });
});

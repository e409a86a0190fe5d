import { readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalEndpoints } from './local-aws';

/** Where a running `jama-sync local` describes itself, relative to its working directory. */
export const STATE_FILE = join('.jama-sync', 'local.json');

/** What operator commands need to reach a running `jama-sync local`. Holds a token: mode 0600. */
export interface LocalState {
  version: 1;
  pid: number;
  startedAt: string;
  jama: { url: string; simulator: boolean };
  aws: LocalEndpoints;
  tables: { state: string; mirror?: string };
  queues: { jobs: string; reconcile: string; deadLetter: string };
  environments: { name: string; rateLimit: number; projects: number[] }[];
  webhook: { url: string; sources: string[] };
  /** The loopback ops endpoint (reconcile now, counters), and its bearer token. */
  ops: { url: string; token: string };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of the `jama-sync local` running from `dir`, or undefined if none runs (a stale file is ignored). */
export async function readLocalState(dir: string): Promise<LocalState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as LocalState;
    return state.version === 1 && alive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the state file (owner-only: it holds the ops token). Resolves with the pid of another
 * live `jama-sync local` that already owns it instead of overwriting that one's.
 */
export async function writeLocalState(dir: string, state: LocalState): Promise<{ ownedBy?: number }> {
  const existing = await readLocalState(dir);
  if (existing && existing.pid !== state.pid) return { ownedBy: existing.pid };
  await mkdir(join(dir, '.jama-sync'), { recursive: true, mode: 0o700 });
  const path = join(dir, STATE_FILE);
  // Remove first so a file left by another user or with wider permissions is not reused.
  await rm(path, { force: true });
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return {};
}

/** Removes the state file if it is still this process's. */
export async function removeLocalState(dir: string, pid = process.pid): Promise<void> {
  try {
    const state = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as LocalState;
    if (state.pid !== pid) return;
  } catch {
    return;
  }
  await rm(join(dir, STATE_FILE), { force: true });
}

/** {@link removeLocalState} for the last moments of a process that must exit now (a signal's deadline). */
export function removeLocalStateSync(dir: string, pid = process.pid): void {
  try {
    const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as LocalState;
    if (state.pid === pid) rmSync(join(dir, STATE_FILE), { force: true });
  } catch {
    // No file, or not ours: nothing to remove.
  }
}

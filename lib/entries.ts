import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../src/core/errors';

/**
 * The nearest directory at or above `start` holding package-lock.json: the repository root, where
 * esbuild resolves modules. (`cdk` runs the app from the directory of cdk.json, the root.)
 */
export function findProjectRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package-lock.json'))) return dir;
    if (path.dirname(dir) === dir) throw new ConfigError(`No package-lock.json at or above ${start}`);
  }
}

/** Handler modules of the functions; the webhook and reconcile ones may not exist yet. */
export interface FunctionEntries {
  worker: string;
  webhook?: string | undefined;
  reconcile?: string | undefined;
}

/** `functions/<name>/handler.ts` under `root`, for each handler that exists. */
export function functionEntries(root: string): FunctionEntries {
  const entry = (name: string) => path.join(root, 'functions', name, 'handler.ts');
  const optional = (name: string) => (existsSync(entry(name)) ? entry(name) : undefined);
  return { worker: entry('sync-worker'), webhook: optional('webhook'), reconcile: optional('reconcile') };
}

import { removeLocalStateSync } from '../local/state-file';
import type { CliIo } from './command';

/** How long a stop may take before the process exits anyway (a run waiting on Jama or the limiter). */
const STOP_DEADLINE_MS = 5000;
const SIGNALS = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 } as const;

/**
 * Stops on the first SIGINT, SIGTERM or SIGHUP (closing the terminal): aborts, and exits anyway
 * after {@link STOP_DEADLINE_MS} with the state file removed; a second signal exits at once.
 */
export function stopSignal(cwd: string, io: CliIo): { signal: AbortSignal; code(): number; dispose(): void } {
  const controller = new AbortController();
  let code = 0;
  const exitNow = () => {
    removeLocalStateSync(cwd);
    process.exit(code);
  };
  const handlers = Object.entries(SIGNALS).map(([name, exit]) => {
    const onSignal = () => {
      if (controller.signal.aborted) return exitNow();
      code = exit;
      io.live?.('');
      io.err(`Stopping (${name})…`);
      controller.abort();
      setTimeout(exitNow, STOP_DEADLINE_MS).unref();
    };
    process.on(name, onSignal);
    return () => process.off(name, onSignal);
  });
  return {
    signal: controller.signal,
    code: () => code,
    dispose: () => {
      for (const off of handlers) off();
    },
  };
}

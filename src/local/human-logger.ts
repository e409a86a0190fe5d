import type { LogItem } from '@aws-lambda-powertools/logger';
import { Logger } from '@aws-lambda-powertools/logger';

/** Where human log lines go: stderr, clearing the live progress line first. */
export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stderr.write(`\r\x1b[2K${line}\n`);

/** Sends local log lines elsewhere (tests). */
export function setLogSink(next: LogSink): void {
  sink = next;
}

const LEVELS: Record<number, string> = {
  4: 'TRACE',
  8: 'DEBUG',
  12: 'INFO',
  16: 'WARN',
  20: 'ERROR',
  24: 'CRITICAL',
};
/** Powertools' own keys; what is left is what the handler said. */
const SKIP = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * The Powertools Logger the handlers use in AWS (JSON for CloudWatch), printing one human line
 * per entry instead when they run inside `jama-sync local`:
 * `WARN  jama-sync-worker  record not synced  outcome=failed reason="…"`.
 */
export class HumanLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    const a = log.getAttributes();
    const extra = Object.entries(a)
      .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
      .map(([k, v]) => `${k}=${value(v)}`);
    const level = (LEVELS[logLevel] ?? String(a.level ?? '')).padEnd(5);
    sink([level, String(a.service ?? ''), String(a.message ?? ''), ...extra].filter(Boolean).join('  '));
  }

  protected override createLogger(options?: ConstructorParameters<typeof Logger>[0]): Logger {
    return new HumanLogger(options);
  }
}

/** A human logger for one local function, at the level the local runtime sets (`POWERTOOLS_LOG_LEVEL`). */
export const localLogger = (serviceName: string) => new HumanLogger({ serviceName });

import diagnostics from 'node:diagnostics_channel';
import { busiestSecond } from './summary';

export interface JamaCallCounts {
  /** Requests sent to Jama (token requests included). */
  calls: number;
  /** Of which Jama answered 429. */
  throttled: number;
}

export interface JamaMeter {
  counts(): JamaCallCounts;
  /** Requests sent in the last `windowMs`, per second. */
  ratePerSecond(windowMs?: number): number;
  /** Most requests sent in any one-second window. */
  busiestSecond(): number;
  stop(): void;
}

interface UndiciRequest {
  origin?: string | URL;
}

/**
 * Counts this process's requests to one origin as they leave, from undici's diagnostics channels
 * (every Jama client shares them, so the worker, the reconcile consumer and the reconcile function
 * are all counted without touching their code). Against a real Jama it is the best view there is
 * of calls per second; the simulator counts them at the receiving end instead.
 */
export function startJamaMeter(jamaUrl: string): JamaMeter {
  const origin = new URL(jamaUrl).origin;
  const sent: number[] = [];
  let throttled = 0;
  const ours = (request: UndiciRequest | undefined) =>
    request?.origin !== undefined && new URL(String(request.origin)).origin === origin;
  const onSend = (message: unknown) => {
    if (ours((message as { request?: UndiciRequest }).request)) sent.push(Date.now());
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request?: UndiciRequest; response?: { statusCode?: number } };
    if (ours(request) && response?.statusCode === 429) throttled++;
  };
  diagnostics.subscribe('undici:client:sendHeaders', onSend);
  diagnostics.subscribe('undici:request:headers', onHeaders);
  return {
    counts: () => ({ calls: sent.length, throttled }),
    ratePerSecond(windowMs = 5000) {
      const since = Date.now() - windowMs;
      let n = 0;
      for (let i = sent.length - 1; i >= 0 && (sent[i] as number) >= since; i--) n++;
      return (n * 1000) / windowMs;
    },
    busiestSecond: () => busiestSecond(sent),
    stop() {
      diagnostics.unsubscribe('undici:client:sendHeaders', onSend);
      diagnostics.unsubscribe('undici:request:headers', onHeaders);
    },
  };
}

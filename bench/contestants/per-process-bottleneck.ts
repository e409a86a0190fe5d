import Bottleneck from 'bottleneck';
import { backoffScheduleMs } from '../../src/core/backoff';
import { isAbort, runPlain } from './harness';
import { type JamaAnswer, PlainJama, projectPage } from './plain-jama';
import type { Contestant } from './types';

const WORKERS = 10;
const PAGE = 50;
const RETRIES = 4;

class RateLimited extends Error {
  constructor(readonly answer: JamaAnswer) {
    super('HTTP 429');
  }
}

/** One worker process: its own token and its own limiter at the full 10/s (`minTime: 100`). */
function worker(jama: PlainJama, signal: AbortSignal) {
  const limiter = new Bottleneck({ minTime: 100 });
  // Bottleneck's documented retry: the `failed` event returns the delay; the retry runs after it
  // without going back through the queue. Jama's schedule, 4 retries.
  limiter.on('failed', (error, info) =>
    error instanceof RateLimited && info.retryCount < RETRIES && !signal.aborted
      ? backoffScheduleMs(info.retryCount)
      : undefined,
  );
  const get = (path: string) =>
    limiter
      .schedule(async () => {
        const answer = await jama.get(path);
        if (answer.status === 429) throw new RateLimited(answer);
        return answer;
      })
      .catch((error: unknown) => {
        if (error instanceof RateLimited) return error.answer;
        throw error;
      });
  return { get, stop: () => limiter.stop({ dropWaitingJobs: true }).catch(() => undefined) };
}

/**
 * (c) Ten worker processes, each with its own Bottleneck limiter at 10/s — correct for one
 * process, 10× the environment's limit together. Events are dealt round-robin; each is one
 * `GET /items/{id}`, retried on 429 after 3, 5, 8, 13 s, then dropped. Reconciliation: project i
 * goes to worker i mod 10, which reads it page by page (50) through its limiter; a page that gives up
 * ends that project's scan.
 */
export const perProcessBottleneck: Contestant = {
  key: 'bottleneck-per-process',
  name: '(c) 10 workers, Bottleneck 10/s each',
  models:
    'Ten processes, each with its own Bottleneck limiter at 10/s (minTime 100 ms); events dealt round-robin, one GET /items/{id} each, 429 retried after 3/5/8/13 s then dropped; each project paged sequentially by one worker, pages of 50.',
  async run(ctx) {
    let workers: ReturnType<typeof worker>[] = [];
    try {
      return await runPlain(ctx, {
        async storm({ simulator, sink, signal, events, note }) {
          workers = Array.from({ length: WORKERS }, () => worker(new PlainJama(simulator, signal), signal));
          let lost = 0;
          await Promise.all(
            events.map(async (event, i) => {
              const answer = await (workers[i % WORKERS] as ReturnType<typeof worker>).get(
                `/items/${event.itemId}`,
              );
              if (answer.status === 200) sink.write(answer);
              else lost++;
            }),
          );
          if (lost > 0) note(`storm: ${lost} events dropped after 4 retries`);
        },
        async reconcile({ sink, signal, projectIds, note }) {
          await Promise.all(
            projectIds.map(async (project, i) => {
              const w = workers[i % WORKERS] as ReturnType<typeof worker>;
              try {
                for (let at = 0, total = 1; at < total; at += PAGE) {
                  const answer = await w.get(projectPage(project, at, PAGE));
                  if (answer.status !== 200) throw new Error(`page at ${at}: HTTP ${answer.status}`);
                  sink.write(answer);
                  total = answer.body?.meta?.pageInfo?.totalResults ?? 0;
                }
              } catch (error) {
                if (isAbort(error, signal)) throw error;
                note(`reconcile: project ${project} stopped (${(error as Error).message})`);
              }
            }),
          );
        },
      });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  },
};

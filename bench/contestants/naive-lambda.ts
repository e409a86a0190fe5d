import { runPlain } from './harness';
import { type JamaAnswer, PlainJama, pool, projectPage, withJamaRetries } from './plain-jama';
import type { Contestant } from './types';

const CONCURRENCY = 10;
const PAGE = 50;

/**
 * (b) A Lambda per webhook event at reserved concurrency 10, no shared limiter: each event is one
 * `GET /items/{id}`, retried on 429 after 3, 5, 8, 13 s and then given up (the event is lost). Each
 * of the 10 warm containers fetches and caches its own token. Reconciliation is one more Lambda
 * that, per project, reads the first page of 50 and then every other page at once with
 * `Promise.all` — the official Node client's way — each page with the same retries; one page that
 * gives up rejects the `Promise.all`, and that project's items are not written.
 */
export const naiveLambda: Contestant = {
  key: 'naive-lambda',
  name: '(b) Lambda per event, no shared limiter',
  models:
    'A Lambda per webhook event (concurrency 10), one GET /items/{id} each, 429 retried after 3/5/8/13 s then dropped; reconciliation pages of 50 fired with Promise.all (official Node client).',
  run: (ctx) =>
    runPlain(ctx, {
      async storm({ simulator, sink, signal, events, note }) {
        let lost = 0;
        await pool(
          events,
          CONCURRENCY,
          () => new PlainJama(simulator, signal),
          async (event, jama) => {
            const answer = await withJamaRetries(() => jama.get(`/items/${event.itemId}`), signal);
            if (answer.status === 200) sink.write(answer);
            else lost++;
          },
          signal,
        );
        if (lost > 0) note(`storm: ${lost} events dropped after 4 retries`);
      },
      async reconcile({ simulator, sink, signal, projectIds, note }) {
        const jama = new PlainJama(simulator, signal);
        const stragglers: Promise<unknown>[] = [];
        const fetchPage = async (project: number, startAt: number): Promise<JamaAnswer> => {
          const answer = await withJamaRetries(() => jama.get(projectPage(project, startAt, PAGE)), signal);
          if (answer.status !== 200)
            throw new Error(`page at ${startAt} of project ${project}: HTTP ${answer.status}`);
          return answer;
        };
        for (const project of projectIds) {
          try {
            const first = await fetchPage(project, 0);
            const total = first.body?.meta?.pageInfo?.totalResults ?? 0;
            const rest: Promise<JamaAnswer>[] = [];
            for (let at = PAGE; at < total; at += PAGE) rest.push(fetchPage(project, at));
            // Pages still retrying after a rejection keep calling Jama; the process waits for them.
            stragglers.push(Promise.allSettled(rest));
            const pages = [first, ...(await Promise.all(rest))];
            for (const page of pages) sink.write(page);
          } catch (error) {
            if (signal.aborted) throw error;
            note(`reconcile: project ${project} not written (${(error as Error).message})`);
          }
        }
        await Promise.all(stragglers);
      },
    }),
};

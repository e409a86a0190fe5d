import { isAbort, runPlain } from './harness';
import { PlainJama, projectPage } from './plain-jama';
import type { Contestant } from './types';

/** py-jama-rest-client pages 20 at a time whatever is asked for. */
const PAGE = 20;

/**
 * (d) One sequential script on the official Python client: one `GET /items/{id}` per event, in
 * order, duplicates included; reconciliation pages of 20, one project after another. The client
 * raises on 429 and does not retry: the event is lost (the script logs it and goes on); during
 * reconciliation the exception ends that project's read.
 */
export const pythonClient: Contestant = {
  key: 'python-sequential',
  name: '(d) one sequential client (official Python)',
  models:
    'One process, one call at a time: GET /items/{id} per event (no dedupe); reconciliation pages of 20; a 429 raises (no retry), losing that event or the rest of that project.',
  run: (ctx) =>
    runPlain(ctx, {
      async storm({ simulator, sink, signal, events, note }) {
        const jama = new PlainJama(simulator, signal);
        let lost = 0;
        for (const event of events) {
          signal.throwIfAborted();
          const answer = await jama.get(`/items/${event.itemId}`);
          if (answer.status === 200) sink.write(answer);
          else lost++;
        }
        if (lost > 0) note(`storm: ${lost} events raised (429) and were lost`);
      },
      async reconcile({ simulator, sink, signal, projectIds, note }) {
        const jama = new PlainJama(simulator, signal);
        for (const project of projectIds) {
          try {
            for (let at = 0, total = 1; at < total; at += PAGE) {
              signal.throwIfAborted();
              const answer = await jama.get(projectPage(project, at, PAGE));
              if (answer.status !== 200) throw new Error(`page at ${at}: HTTP ${answer.status}`);
              sink.write(answer);
              total = answer.body?.meta?.pageInfo?.totalResults ?? 0;
            }
          } catch (error) {
            if (isAbort(error, signal)) throw error;
            note(`reconcile: project ${project} raised (${(error as Error).message})`);
          }
        }
      },
    }),
};

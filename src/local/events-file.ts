import { appendFile } from 'node:fs/promises';
import type { Clock } from '../core/clock';
import { type ChangeEvent, EVENT_SOURCE } from '../core/events/change-events';
import type { ChangeEventPublisher } from '../core/ports/change-event-publisher';

/**
 * `jama-sync local --events-out FILE`: the events the EventBridge sink would publish, one JSON
 * object per line in EventBridge's envelope (`source`, `detail-type`, `time`, `detail`), appended.
 */
export function jsonLinesPublisher(path: string, clock: Clock): ChangeEventPublisher {
  let writing = Promise.resolve();
  return {
    publish(events: readonly ChangeEvent[]) {
      const time = new Date(clock.now()).toISOString();
      const lines = events
        .map((e) =>
          JSON.stringify({ source: EVENT_SOURCE, 'detail-type': e.detailType, time, detail: e.detail }),
        )
        .join('\n');
      // Appends one after another, so lines of concurrent batches never interleave.
      writing = writing.catch(() => undefined).then(() => appendFile(path, `${lines}\n`));
      return writing;
    },
  };
}

import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { chunk } from '../core/chunk';
import { type ChangeEvent, EVENT_SOURCE } from '../core/events/change-events';
import type { ChangeEventPublisher } from '../core/ports/change-event-publisher';
import { type RetryOptions, type RetrySchedule, retrySchedule } from '../core/retry';

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;

/** An entry that could not be published, and why. */
export interface FailedEntry {
  entry: PutEventsRequestEntry;
  reason: string;
}

/** `attempts`: per entry before it is dead-lettered. @default 4 */
export interface EventBridgePublisherOptions extends RetryOptions {
  client: EventBridgeClient;
  /** The bus: `default`, a name, or an ARN. */
  busName: string;
  /** Where entries that keep failing go (the dead-letter queue), each with its reason. */
  deadLetter(entries: readonly FailedEntry[]): Promise<void>;
}

/** Entry error codes that no retry can fix: dead-letter at once. */
const PERMANENT = /Malformed|Invalid|Validation|AccessDenied|NotFound|NotAuthorized/i;

/**
 * Publishes change events with `PutEvents`, 10 entries per call. PutEvents succeeds as a call even
 * when some entries fail (`FailedEntryCount`), so each failed entry is retried on its own, with
 * backoff, up to `attempts`; a whole call that throws is retried the same way. What still fails —
 * or fails with an error no retry can fix — is dead-lettered with its reason, so no event is dropped
 * silently.
 */
export class EventBridgePublisher implements ChangeEventPublisher {
  private readonly retry: RetrySchedule;

  constructor(private readonly options: EventBridgePublisherOptions) {
    this.retry = retrySchedule(options, 4);
  }

  async publish(events: readonly ChangeEvent[]): Promise<void> {
    const entries = events.map((e) => this.entry(e));
    const dead: FailedEntry[] = [];
    for (const batch of chunk(entries, PUT_EVENTS_BATCH)) dead.push(...(await this.putWithRetries(batch)));
    if (dead.length > 0) await this.options.deadLetter(dead);
  }

  private async putWithRetries(batch: PutEventsRequestEntry[]): Promise<FailedEntry[]> {
    let pending = batch.map((entry) => ({ entry, reason: 'not attempted' }));
    const dead: FailedEntry[] = [];
    for (let attempt = 0; attempt < this.retry.attempts && pending.length > 0; attempt++) {
      await this.retry.pause(attempt);
      try {
        const out = await this.options.client.send(
          new PutEventsCommand({ Entries: pending.map((p) => p.entry) }),
        );
        const next: FailedEntry[] = [];
        pending.forEach((p, i) => {
          const result = out.Entries?.[i];
          if (!result?.ErrorCode) return;
          const reason = `PutEvents entry failed: ${result.ErrorCode}${result.ErrorMessage ? ` (${result.ErrorMessage})` : ''}`;
          (PERMANENT.test(result.ErrorCode) ? dead : next).push({ entry: p.entry, reason });
        });
        pending = next;
      } catch (error) {
        const reason = `PutEvents failed: ${(error as Error).message}`;
        pending = pending.map((p) => ({ entry: p.entry, reason }));
      }
    }
    return [
      ...dead,
      ...pending.map((p) => ({ ...p, reason: `${p.reason}; gave up after ${this.retry.attempts} attempts` })),
    ];
  }

  private entry(event: ChangeEvent): PutEventsRequestEntry {
    return {
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      EventBusName: this.options.busName,
    };
  }
}

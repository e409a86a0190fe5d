import type { ChangeEvent } from '../events/change-events';

/**
 * Where change events go (EventBridge in AWS, a JSON-lines file locally). `publish` resolves once
 * every event is either accepted or dead-lettered with a reason; it rejects only when it could do
 * neither, so the caller can fail the records instead of losing the events silently.
 */
export interface ChangeEventPublisher {
  publish(events: readonly ChangeEvent[]): Promise<void>;
}

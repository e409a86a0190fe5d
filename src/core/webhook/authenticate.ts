import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../signature';
import { WebhookError } from './errors';

/** Signed requests older or newer than this are refused as replays (or badly skewed clocks). */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

/**
 * Checks `x-jama-sync-signature` (`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`, compared
 * in constant time) and that `x-jama-sync-timestamp` (epoch seconds) is within
 * {@link REPLAY_WINDOW_MS} of `now`. Messages say what is wrong, never what was expected.
 *
 * @example
 * authenticate(headers, body, source.secret, clock.now()); // throws WebhookError(401) when not authentic
 */
export function authenticate(
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  secret: string,
  now: number,
): void {
  const signature = headers[SIGNATURE_HEADER];
  const stamp = headers[TIMESTAMP_HEADER];
  if (!signature || !stamp) {
    throw new WebhookError('WEBHOOK_SIGNATURE', `${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} are required`);
  }
  if (!/^\d{1,12}$/.test(stamp)) {
    throw new WebhookError('WEBHOOK_SIGNATURE', `${TIMESTAMP_HEADER} must be epoch seconds`);
  }
  const timestamp = Number(stamp);
  if (Math.abs(now - timestamp * 1000) > REPLAY_WINDOW_MS) {
    throw new WebhookError(
      'WEBHOOK_SIGNATURE',
      `${TIMESTAMP_HEADER} is more than ${REPLAY_WINDOW_MS / 60_000} minutes from now (replayed, or a skewed clock)`,
    );
  }
  if (!verifySignature(secret, timestamp, body, signature)) {
    throw new WebhookError('WEBHOOK_SIGNATURE', `${SIGNATURE_HEADER} does not match the body`);
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of jama-sync's HMAC-SHA256 signatures (outbound forwards and inbound webhooks). */
export const SIGNATURE_HEADER = 'x-jama-sync-signature';
export const TIMESTAMP_HEADER = 'x-jama-sync-timestamp';

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). Signing the timestamp with the body
 * lets a receiver reject replays outside its window.
 */
export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Constant-time check of a signature made by {@link sign}. */
export function verifySignature(secret: string, timestamp: number, body: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

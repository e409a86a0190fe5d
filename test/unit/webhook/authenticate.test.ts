import { authenticate } from '../../../src/core/webhook/authenticate';
import { SECRET, signedHeaders } from './support';

const now = Date.UTC(2026, 0, 1);
const body = '{"events":[]}';

describe('webhook authentication', () => {
  it('accepts a signature over timestamp and body made with the source secret', () => {
    expect(() => authenticate(signedHeaders(body, now), body, SECRET, now)).not.toThrow();
  });

  it.each([
    ['no headers', {}, /are required/],
    [
      'a timestamp in milliseconds',
      { ...signedHeaders(body, now), 'x-jama-sync-timestamp': String(now) },
      /epoch seconds/,
    ],
    [
      'a timestamp that is not a number',
      { ...signedHeaders(body, now), 'x-jama-sync-timestamp': '1e9' },
      /epoch seconds/,
    ],
    ['a signature of another body', signedHeaders('{"events": []}', now), /does not match/],
    ['another secret', signedHeaders(body, now, 'another-secret-of-16+'), /does not match/],
    [
      'a signature without its prefix',
      { ...signedHeaders(body, now), 'x-jama-sync-signature': 'abc' },
      /does not match/,
    ],
    ['a timestamp 6 minutes old', signedHeaders(body, now - 6 * 60_000), /5 minutes/],
    ['a timestamp 6 minutes ahead', signedHeaders(body, now + 6 * 60_000), /5 minutes/],
  ])('refuses %s with 401', (_name, headers, reason) => {
    expect(() => authenticate(headers, body, SECRET, now)).toThrow(
      expect.objectContaining({
        status: 401,
        code: 'WEBHOOK_SIGNATURE',
        message: expect.stringMatching(reason),
      }),
    );
  });

  it('tells a sender what is wrong, never what was expected', () => {
    try {
      authenticate(signedHeaders(body, now, 'wrong-secret-16chars'), body, SECRET, now);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/[0-9a-f]{16}/);
    }
  });
});

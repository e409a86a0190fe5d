import { JamaAuthError } from '../../../src/core/jama-errors';
import { FakeClock } from '../../support/fake-clock';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CountingLimiter,
  clientFor,
  item,
  type JamaHttpStub,
  jamaError,
  single,
  stubsPerTest,
  TOKEN_PATH,
  tokenReply,
} from '../../support/jama-http-stub';

const startStub = stubsPerTest();

/** Issues tok-1, tok-2, … and serves items to any valid bearer token (`valid` decides). */
async function tokenIssuingJama(
  options: { expiresIn?: number; tokenDelayMs?: number; valid?: (token: string) => boolean } = {},
) {
  let issued = 0;
  const fake = await startStub((req) => {
    if (req.path === TOKEN_PATH) {
      issued += 1;
      const reply = tokenReply(`tok-${issued}`, options.expiresIn ?? 3599);
      return typeof reply === 'object' ? { ...reply, delayMs: options.tokenDelayMs ?? 0 } : reply;
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!(options.valid ?? (() => true))(token))
      return jamaError(401, 'Unauthorized', 'Invalid access token');
    return single(item(Number(req.path.split('/').pop())));
  });
  return fake;
}

const tokenRequests = (f: JamaHttpStub) => f.requests.filter((r) => r.path === TOKEN_PATH);
const bearers = (f: JamaHttpStub) => f.rest().map((r) => r.headers.authorization);

describe('jama client › OAuth token', () => {
  it('asks for a client-credentials token with HTTP Basic client id and secret', async () => {
    const f = await tokenIssuingJama();
    const jama = clientFor(f, new CountingLimiter());
    await jama.getItem(1);
    await jama.close();
    const [token] = tokenRequests(f);
    expect(token?.method).toBe('POST');
    expect(token?.body).toBe('grant_type=client_credentials');
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(bearers(f)).toEqual(['Bearer tok-1']);
  });

  it('reuses the token until 60 s before it expires, then refreshes it', async () => {
    const f = await tokenIssuingJama({ expiresIn: 3599 });
    const clock = new FakeClock();
    const jama = clientFor(f, new CountingLimiter(), { clock });
    await jama.getItem(1);
    clock.advance(3_538_000); // 1 s before the refresh point (3599 s − 60 s)
    await jama.getItem(2);
    clock.advance(2_000);
    await jama.getItem(3);
    await jama.getItem(4);
    await jama.close();
    expect(tokenRequests(f)).toHaveLength(2);
    expect(bearers(f)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2', 'Bearer tok-2']);
  });

  it('honours a custom refresh margin', async () => {
    const f = await tokenIssuingJama({ expiresIn: 3600 });
    const clock = new FakeClock();
    const jama = clientFor(f, new CountingLimiter(), { clock, tokenRefreshMarginMs: 600_000 });
    await jama.getItem(1);
    clock.advance(3_000_001);
    await jama.getItem(2);
    await jama.close();
    expect(tokenRequests(f)).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its life rather than on every call', async () => {
    const f = await tokenIssuingJama({ expiresIn: 30 });
    const clock = new FakeClock();
    const jama = clientFor(f, new CountingLimiter(), { clock });
    await jama.getItem(1);
    clock.advance(14_000);
    await jama.getItem(2);
    clock.advance(2_000);
    await jama.getItem(3);
    await jama.close();
    expect(bearers(f)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('shares one token request among concurrent callers', async () => {
    const f = await tokenIssuingJama({ tokenDelayMs: 50 });
    const jama = clientFor(f, new CountingLimiter());
    await Promise.all([1, 2, 3, 4, 5].map((id) => jama.getItem(id)));
    await jama.close();
    expect(tokenRequests(f)).toHaveLength(1);
    expect(new Set(bearers(f))).toEqual(new Set(['Bearer tok-1']));
  });

  it('shares one refresh among concurrent callers when the token is due', async () => {
    const f = await tokenIssuingJama({ tokenDelayMs: 30 });
    const clock = new FakeClock();
    const jama = clientFor(f, new CountingLimiter(), { clock });
    await jama.getItem(1);
    clock.advance(3_600_000);
    await Promise.all([2, 3, 4].map((id) => jama.getItem(id)));
    await jama.close();
    expect(tokenRequests(f)).toHaveLength(2);
  });

  it('does not let one caller’s abort fail the others sharing the token request', async () => {
    const f = await tokenIssuingJama({ tokenDelayMs: 80 });
    const jama = clientFor(f, new CountingLimiter());
    const controller = new AbortController();
    const aborted = jama.getItem(1, { signal: controller.signal });
    const other = jama.getItem(2);
    setTimeout(() => controller.abort(new Error('gave up')), 20);
    await expect(aborted).rejects.toThrow('gave up');
    await expect(other).resolves.toMatchObject({ id: 2 });
    await jama.close();
    expect(tokenRequests(f)).toHaveLength(1);
  });

  it('does not cache a failed token request', async () => {
    let calls = 0;
    const fake = await startStub((req) => {
      if (req.path === TOKEN_PATH) {
        calls += 1;
        return calls === 1 ? jamaError(503, 'Service Unavailable', 'starting') : tokenReply('tok-ok');
      }
      return single(item(1));
    });
    const jama = clientFor(fake, new CountingLimiter());
    await expect(jama.getItem(1)).rejects.toMatchObject({ code: 'JAMA_SERVER', path: TOKEN_PATH });
    await expect(jama.getItem(1)).resolves.toMatchObject({ id: 1 });
    await jama.close();
  });

  it('on a 401 drops the token, fetches a new one and retries once', async () => {
    const f = await tokenIssuingJama({ valid: (t) => t !== 'tok-1' });
    const jama = clientFor(f, new CountingLimiter());
    await expect(jama.getItem(7)).resolves.toMatchObject({ id: 7 });
    await jama.close();
    expect(f.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${TOKEN_PATH}`,
      'GET /rest/v1/items/7',
      `POST ${TOKEN_PATH}`,
      'GET /rest/v1/items/7',
    ]);
    expect(bearers(f)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('gives up with JamaAuthError when the retry is refused too', async () => {
    const f = await tokenIssuingJama({ valid: () => false });
    const jama = clientFor(f, new CountingLimiter());
    await expect(jama.getItem(7)).rejects.toBeInstanceOf(JamaAuthError);
    await jama.close();
    expect(f.rest()).toHaveLength(2);
    expect(tokenRequests(f)).toHaveLength(2);
  });

  it('does not retry a 403 (permissions do not change with a new token)', async () => {
    const fake = await startStub((req) =>
      req.path === TOKEN_PATH ? tokenReply() : jamaError(403, 'Forbidden', 'Access denied'),
    );
    const jama = clientFor(fake, new CountingLimiter());
    await expect(jama.getItem(7)).rejects.toMatchObject({ code: 'JAMA_AUTH', status: 403 });
    await jama.close();
    expect(fake.requests).toHaveLength(2);
  });

  it('reports bad client credentials as JamaAuthError naming the token endpoint', async () => {
    const fake = await startStub(() => ({
      status: 401,
      json: { error: 'unauthorized', error_description: 'Bad credentials' },
    }));
    const jama = clientFor(fake, new CountingLimiter());
    const error = await jama.getItem(1).catch((e: unknown) => e as JamaAuthError);
    await jama.close();
    expect(error).toBeInstanceOf(JamaAuthError);
    expect(error).toMatchObject({ method: 'POST', path: TOKEN_PATH, status: 401 });
    expect((error as Error).message).toContain('Bad credentials');
    expect((error as Error).message).toContain('Named Creator');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('jama client › basic auth', () => {
  it('sends the username and password on every call and never asks for a token', async () => {
    const fake = await startStub((req) => single(item(Number(req.path.split('/').pop()))));
    const jama = clientFor(fake, new CountingLimiter(), {
      credentials: { type: 'basic', username: 'admin', password: 'admin-pass' },
    });
    await jama.getItem(1);
    await jama.getItem(2);
    await jama.close();
    const basic = `Basic ${Buffer.from('admin:admin-pass').toString('base64')}`;
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([basic, basic]);
  });

  it('does not retry a 401 and mentions SSO in the message', async () => {
    const fake = await startStub(() => jamaError(401, 'Unauthorized', 'Bad credentials'));
    const jama = clientFor(fake, new CountingLimiter(), {
      credentials: { type: 'basic', username: 'admin', password: 'admin-pass' },
    });
    const error = await jama.getItem(1).catch((e: unknown) => e as Error);
    await jama.close();
    expect(error).toBeInstanceOf(JamaAuthError);
    expect(error.message).toContain('username and password');
    expect(error.message).toContain('SAML/SSO');
    expect(error.message).toContain('Named Creator');
    expect(error.message).not.toContain('admin-pass');
    expect(fake.requests).toHaveLength(1);
  });
});

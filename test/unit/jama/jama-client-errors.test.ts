import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import {
  JamaAuthError,
  JamaBadResponseError,
  JamaNetworkError,
  JamaNotFoundError,
  JamaRateLimitedError,
  JamaServerError,
  JamaTimeoutError,
  JamaValidationError,
} from '../../../src/core/jama-errors';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  CountingLimiter,
  clientFor,
  item,
  jamaError,
  type Reply,
  single,
  stubsPerTest,
  TOKEN_PATH,
  tokenReply,
} from '../../support/jama-http-stub';

const startStub = stubsPerTest();

/** A fake Jama issuing tokens and answering every REST call with `reply`. */
async function jamaAnswering(reply: Reply | (() => Reply)) {
  const fake = await startStub((req) =>
    req.path === TOKEN_PATH ? tokenReply('tok-secret-bearer') : typeof reply === 'function' ? reply() : reply,
  );
  return fake;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('jama client › error mapping', () => {
  it.each([
    [400, 'Bad Request', JamaValidationError, 'JAMA_VALIDATION', false],
    [401, 'Unauthorized', JamaAuthError, 'JAMA_AUTH', false],
    [403, 'Forbidden', JamaAuthError, 'JAMA_AUTH', false],
    [404, 'Not Found', JamaNotFoundError, 'JAMA_NOT_FOUND', false],
    [405, 'Method Not Allowed', JamaValidationError, 'JAMA_VALIDATION', false],
    [409, 'Conflict', JamaValidationError, 'JAMA_VALIDATION', false],
    [422, 'Unprocessable Entity', JamaValidationError, 'JAMA_VALIDATION', false],
    [429, 'Too Many Requests', JamaRateLimitedError, 'JAMA_RATE_LIMITED', true],
    [500, 'Internal Server Error', JamaServerError, 'JAMA_SERVER', true],
    [502, 'Bad Gateway', JamaServerError, 'JAMA_SERVER', true],
    [503, 'Service Unavailable', JamaServerError, 'JAMA_SERVER', true],
  ])('maps %i %s to %p', async (status, reason, type, code, retryable) => {
    const fake = await jamaAnswering(jamaError(status, reason, `detail for ${status}`));
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(42));
    await jama.close();
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, retryable, status, method: 'GET', path: '/rest/v1/items/42' });
    if (status !== 429) expect(error.message).toContain(`detail for ${status}`);
  });

  it("carries Jama's meta.message on validation errors", async () => {
    const fake = await jamaAnswering(
      jamaError(400, 'Bad Request', 'Field "priority" does not exist on item type 24'),
    );
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(
      jama.patchItem(42, [{ op: 'replace', path: '/fields/priority', value: 1 }]),
    );
    await jama.close();
    expect(error).toBeInstanceOf(JamaValidationError);
    expect((error as JamaValidationError).jamaMessage).toBe(
      'Field "priority" does not exist on item type 24',
    );
    expect(error.message).toBe(
      'Jama rejected PATCH /rest/v1/items/42 (400): Field "priority" does not exist on item type 24',
    );
  });

  it('explains a 401 in terms of the Named Creator licence, REST access and what to check', async () => {
    const fake = await jamaAnswering(jamaError(401, 'Unauthorized', 'Full authentication is required'));
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error.message).toMatch(/Named Creator/);
    expect(error.message).toMatch(/Creator Float users have no REST access/);
    expect(error.message).toMatch(/REST API access setting/);
    expect(error.message).toMatch(/client id and secret/);
    expect(error.message).toMatch(/--jama-url/);
  });

  it('treats a 3xx as a wrong URL, not as success', async () => {
    const fake = await jamaAnswering({
      status: 302,
      headers: { location: 'https://sso.example.com/login?x=1' },
    });
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaValidationError);
    expect(error.message).toContain('redirected');
    expect(error.message).toContain('--jama-url');
  });

  it('treats a 200 whose body is not JSON (a proxy page, a cut answer) as transient', async () => {
    const fake = await jamaAnswering({
      text: '<html>login</html>',
      headers: { 'content-type': 'text/html' },
    });
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaBadResponseError);
    expect(error).toMatchObject({ code: 'JAMA_BAD_RESPONSE', retryable: true });
    expect(error.message).toContain('not JSON (content-type text/html)');
  });

  it('names the missing fields when an item fails validation', async () => {
    const { documentKey: _, ...broken } = item(1);
    const fake = await jamaAnswering(single(broken));
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaValidationError);
    expect(error.message).toContain('data.documentKey');
  });

  it('accepts unknown fields and nulls in optional ones', async () => {
    const fake = await jamaAnswering(single(item(1, { childItemType: null, brandNew: { x: 1 } })));
    const jama = clientFor(fake, new CountingLimiter());
    const got = await jama.getItem(1);
    await jama.close();
    expect(got.brandNew).toEqual({ x: 1 });
    expect(got).not.toHaveProperty('childItemType');
    expect(got.fields.name).toBe('Item 1');
  });
});

describe('jama client › network failures', () => {
  it('says which URL it cannot reach when the connection is refused', async () => {
    const port = await closedPort();
    const jama = clientFor(`http://127.0.0.1:${port}`, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaNetworkError);
    expect(error).toMatchObject({ code: 'JAMA_NETWORK', retryable: true, networkCode: 'ECONNREFUSED' });
    expect(error.message).toContain(`Cannot reach Jama at http://127.0.0.1:${port}: check --jama-url`);
  });

  it('maps a reset connection to a retryable JamaNetworkError', async () => {
    const fake = await jamaAnswering('reset');
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaNetworkError);
    expect(error).toMatchObject({ retryable: true, method: 'GET', path: '/rest/v1/items/1' });
    expect(jama.stats().byStatus.error).toBe(1);
  });

  it('gives up after timeoutMs with a JamaTimeoutError', async () => {
    const fake = await jamaAnswering('hang');
    const jama = clientFor(fake, new CountingLimiter(), { timeoutMs: 150 });
    const started = Date.now();
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaTimeoutError);
    expect(error).toMatchObject({
      code: 'JAMA_TIMEOUT',
      retryable: true,
      method: 'GET',
      path: '/rest/v1/items/1',
    });
    expect(error.message).toContain('within 150 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('maps undici’s headers timeout to a JamaTimeoutError too', async () => {
    const fake = await jamaAnswering('hang');
    const jama = clientFor(fake, new CountingLimiter(), {
      headersTimeoutMs: 100,
      timeoutMs: 5_000,
    });
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    expect(error).toBeInstanceOf(JamaTimeoutError);
    expect(error.message).toContain('waiting for headers');
  });

  it("rejects with the caller's abort reason when the caller aborts", async () => {
    const fake = await jamaAnswering('hang');
    const jama = clientFor(fake, new CountingLimiter());
    const controller = new AbortController();
    const call = jama.getItem(1, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('worker deadline')), 50);
    const error = await failureOf(call);
    await jama.close();
    expect(error.message).toBe('worker deadline');
  });
});

describe('jama client › secrets', () => {
  const secrets = [
    CLIENT_SECRET,
    'tok-secret-bearer',
    Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'),
  ];

  it.each([
    [
      '401 on the token request',
      (): Reply => jamaError(401, 'Unauthorized', `Bad client credentials ${CLIENT_SECRET}`),
    ],
    [
      '400 on the token request',
      (): Reply => ({ status: 400, json: { error: 'invalid_client', error_description: CLIENT_SECRET } }),
    ],
    ['500 on the token request', (): Reply => jamaError(500, 'Internal Server Error', 'boom')],
  ])('never puts credentials in the error for a %s', async (_label, tokenAnswer) => {
    const fake = await startStub((req) => (req.path === TOKEN_PATH ? tokenAnswer() : single(item(1))));
    const jama = clientFor(fake, new CountingLimiter());
    const error = await failureOf(jama.getItem(1));
    await jama.close();
    const dump = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.cause)}`;
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });

  it.each([401, 403, 404, 429, 500])(
    'never puts the bearer token or secret in the error for a REST %i',
    async (status) => {
      const fake = await jamaAnswering(jamaError(status, 'x', 'no'));
      const jama = clientFor(fake, new CountingLimiter());
      const error = await failureOf(jama.getItem(1));
      await jama.close();
      const dump = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
      for (const secret of secrets) expect(dump).not.toContain(secret);
    },
  );

  it('never echoes a password given inside the URL', () => {
    expect(() =>
      clientFor('https://admin:hunter2-password@tenant.jamacloud.com', new CountingLimiter()),
    ).toThrow(/without credentials/);
    try {
      clientFor('https://admin:hunter2-password@tenant.jamacloud.com', new CountingLimiter());
    } catch (error) {
      expect(JSON.stringify(error) + String(error)).not.toContain('hunter2');
    }
  });
});

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

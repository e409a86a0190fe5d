import { type JamaSimulator, startJamaSimulator } from '../../../src/simulator/server';
import { call } from './http';

const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('simulator › authentication', () => {
  let sim: JamaSimulator;
  beforeAll(async () => {
    sim = await startJamaSimulator({
      projects: 1,
      itemsPerProject: 3,
      rateLimit: 0,
      clients: [{ clientId: 'ci', clientSecret: 's3cret' }],
      users: [{ username: 'alice', password: 'pw' }],
      tokenTtlSeconds: 1,
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.resetStats());

  const token = (authorization: string, body = 'grant_type=client_credentials') =>
    call(sim, '/rest/oauth/token', {
      method: 'POST',
      body,
      headers: { ...FORM, Authorization: authorization },
    });

  it('issues a client-credentials token in Jama’s shape and accepts it as Bearer', async () => {
    const { status, body } = await token(basic('ci', 's3cret'));
    expect(status).toBe(200);
    expect(body).toEqual(
      expect.objectContaining({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 1,
        scope: expect.any(String),
      }),
    );
    const projects = await call(sim, '/projects', {
      headers: { Authorization: `Bearer ${body.access_token}` },
    });
    expect(projects.status).toBe(200);
  });

  it('counts the token call in the call log like any other', async () => {
    await token(basic('ci', 's3cret'));
    expect(sim.calls()).toEqual([
      expect.objectContaining({ method: 'POST', path: '/rest/oauth/token', status: 200, foreign: false }),
    ]);
  });

  it.each([
    ['a wrong client secret', basic('ci', 'nope')],
    ['an unknown client', basic('other', 's3cret')],
    ['no credentials', ''],
  ])(
    'refuses a token request with %s: 401 naming the Named Creator licence',
    async (_case, authorization) => {
      const { status, body } = await token(authorization);
      expect(status).toBe(401);
      expect(body.meta.status).toBe('Unauthorized');
      expect(body.meta.message).toContain('Named Creator');
    },
  );

  it('refuses a grant type other than client_credentials with 400', async () => {
    const { status, body } = await token(basic('ci', 's3cret'), 'grant_type=password');
    expect(status).toBe(400);
    expect(body.meta.message).toContain('grant_type');
  });

  it('accepts Basic username:password on REST endpoints', async () => {
    expect((await call(sim, '/projects', { headers: { Authorization: basic('alice', 'pw') } })).status).toBe(
      200,
    );
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong password', { Authorization: basic('alice', 'wrong') }],
    ['an unknown token', { Authorization: 'Bearer not-a-token' }],
  ])('answers 401 mentioning Named Creator for %s', async (_case, headers) => {
    const { status, body } = await call(sim, '/projects', { headers: { Authorization: '', ...headers } });
    expect(status).toBe(401);
    expect(body.meta.message).toMatch(/Named Creator licence \(Creator Float users have no API access\)/);
  });

  it('stops accepting a token after tokenTtlSeconds', async () => {
    const { body } = await token(basic('ci', 's3cret'));
    await new Promise((resolve) => setTimeout(resolve, 1050));
    const answer = await call(sim, '/projects', {
      headers: { Authorization: `Bearer ${body.access_token}` },
    });
    expect(answer.status).toBe(401);
    expect(answer.body.meta.message).toContain('expired');
  });
});

import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type SecretsManagerLike, secretsManagerResolver } from '../../src/adapters/secrets-manager';
import { ConfigError } from '../../src/core/errors';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:JamaSync/jama/prod-AbCdEf';

/** A Secrets Manager stand-in: answers from `secrets` by ARN and counts requests. */
function fakeClient(secrets: Record<string, string | Error>) {
  const requests: string[] = [];
  const client: SecretsManagerLike = {
    async send(command: GetSecretValueCommand) {
      const id = command.input.SecretId ?? '';
      requests.push(id);
      const value = secrets[id];
      if (value instanceof Error) throw value;
      if (value === undefined)
        throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { SecretString: value };
    },
  };
  return { client, requests };
}

const awsError = (name: string) => Object.assign(new Error(name), { name });

describe('secretsManagerResolver', () => {
  it('returns the string fields of a JSON secret', async () => {
    const { client } = fakeClient({ [ARN]: '{"clientId":"sync","clientSecret":"s3cr3t","port":443}' });
    await expect(secretsManagerResolver({ client })(ARN)).resolves.toEqual({
      clientId: 'sync',
      clientSecret: 's3cr3t',
    });
  });

  it('fetches a secret once within the TTL, shared by concurrent callers', async () => {
    const { client, requests } = fakeClient({ [ARN]: '{"secret":"x"}' });
    const resolve = secretsManagerResolver({ client, ttlMs: 1000, now: () => 0 });
    await Promise.all([resolve(ARN), resolve(ARN), resolve(ARN)]);
    expect(requests).toHaveLength(1);
  });

  it('fetches again once the TTL has passed', async () => {
    const { client, requests } = fakeClient({ [ARN]: '{"secret":"x"}' });
    let t = 0;
    const resolve = secretsManagerResolver({ client, ttlMs: 1000, now: () => t });
    await resolve(ARN);
    t = 1000;
    await resolve(ARN);
    expect(requests).toHaveLength(2);
  });

  it('does not cache a failure: the next call tries again', async () => {
    const secrets: Record<string, string | Error> = { [ARN]: awsError('ThrottlingException') };
    const { client, requests } = fakeClient(secrets);
    const resolve = secretsManagerResolver({ client, now: () => 0 });
    await expect(resolve(ARN)).rejects.toThrow('ThrottlingException');
    secrets[ARN] = '{"secret":"x"}';
    await expect(resolve(ARN)).resolves.toEqual({ secret: 'x' });
    expect(requests).toHaveLength(2);
  });

  it.each([
    ['ResourceNotFoundException', 'does not exist'],
    ['AccessDeniedException', 'is not readable by this function'],
  ])('turns %s into a ConfigError naming the secret', async (name, message) => {
    const { client } = fakeClient({ [ARN]: awsError(name) });
    const error = await secretsManagerResolver({ client })(ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`Secret ${ARN} ${message}`);
  });

  it.each(['not json at all', '"a string"', '["a","list"]', 'null'])(
    'rejects a secret that is not a JSON object (%s) without quoting it',
    async (text) => {
      const { client } = fakeClient({ [ARN]: text });
      const error = (await secretsManagerResolver({ client })(ARN).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('must hold a JSON object');
      expect(error.message).not.toContain(text);
    },
  );
});

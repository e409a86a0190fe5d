import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDbRateLimiter,
  type DynamoDbRateLimiterOptions,
} from '../../../src/adapters/dynamodb-limiter/limiter';
import { ConfigError } from '../../../src/core/errors';

describe('DynamoDB limiter options', () => {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  afterAll(() => client.destroy());
  const valid: DynamoDbRateLimiterOptions = { client, tableName: 'jama-sync-state', environment: 'acme' };

  it('takes Jama’s defaults: 10/s limit, 9/s ceiling, 2 s wait', () => {
    expect(new DynamoDbRateLimiter(valid).config).toMatchObject({
      limit: 10,
      ceiling: 9,
      burst: 1,
      maxWaitMs: 2000,
    });
  });

  it.each([
    [{ client: undefined }, 'Expected `client` to be a DynamoDBClient, got `undefined`'],
    [{ tableName: '' }, 'Expected `tableName` to be a non-empty string, got ``'],
    [{ environment: 42 }, 'Expected `environment` to be a non-empty string, got `42`'],
    [{ maxAttempts: 0 }, 'Expected `maxAttempts` to be an integer ≥ 1, got `0`'],
    [{ maxLatenessMs: -1 }, 'Expected `maxLatenessMs` to be a number ≥ 0, got `-1`'],
    [{ limit: 0 }, 'Expected `limit` to be a number > 0, got `0`'],
    [{ ceiling: 12 }, 'Expected `ceiling` to be a number in (0, 10] (the limit), got `12`'],
  ])('rejects %p with a precise message', (override, message) => {
    const options = { ...valid, ...override } as unknown as DynamoDbRateLimiterOptions;
    expect(() => new DynamoDbRateLimiter(options)).toThrow(new ConfigError(message));
  });
});

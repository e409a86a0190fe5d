import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { depsOf, lazyDeps } from '../../../src/adapters/lambda/lazy-deps';
import { ConfigError } from '../../../src/core/errors';

const context = () =>
  ({ functionName: 'test', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

/** A handler that answers with the dependencies lazyDeps put on its context. */
function handlerWith<D>(source: D | (() => Promise<D>), onFailure?: (error: unknown) => unknown) {
  return middy<unknown, D, Error, Context>(async (_event: unknown, ctx: Context) => depsOf<D>(ctx)).use(
    lazyDeps(source, onFailure),
  );
}

describe('lazyDeps', () => {
  it('builds the dependencies on first use, once per container', async () => {
    let builds = 0;
    const handler = handlerWith(async () => ({ build: ++builds }));
    expect(builds).toBe(0);
    await expect(handler({}, context())).resolves.toEqual({ build: 1 });
    await expect(handler({}, context())).resolves.toEqual({ build: 1 });
    expect(builds).toBe(1);
  });

  it('takes ready-made dependencies as they are', async () => {
    const deps = { ready: true };
    await expect(handlerWith(deps)({}, context())).resolves.toBe(deps);
  });

  it('does not keep a failed build: the next invocation builds again', async () => {
    let builds = 0;
    const handler = handlerWith(async () => {
      builds += 1;
      if (builds === 1) throw new Error('Secrets Manager unreachable');
      return { build: builds };
    });
    await expect(handler({}, context())).rejects.toThrow('Secrets Manager unreachable');
    await expect(handler({}, context())).resolves.toEqual({ build: 2 });
  });

  it('answers a failed build with the error onFailure makes of it', async () => {
    const handler = handlerWith(
      async () => Promise.reject(new Error('down')),
      (error) => new ConfigError(`could not start: ${(error as Error).message}`),
    );
    await expect(handler({}, context())).rejects.toThrow(new ConfigError('could not start: down'));
  });
});

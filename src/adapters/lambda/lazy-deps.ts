import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** A handler's context once {@link lazyDeps} has run: the built dependencies under `deps`. */
export type WithDeps<D> = Context & { deps: D };

/**
 * Builds a function's dependencies on first use, once per container, and puts them on the
 * context as `context.deps` (the shape of middy's own `secrets-manager` middleware). A failed
 * build is not kept: the next invocation builds again. `onFailure` may turn the build's error
 * into the one the handler answers with.
 */
export function lazyDeps<D>(
  source: D | (() => Promise<D>),
  onFailure: (error: unknown) => unknown = (error) => error,
): MiddlewareObj<unknown, unknown, Error, Context> {
  let ready: Promise<D> | undefined;
  return {
    before: async (request) => {
      ready ??= typeof source === 'function' ? (source as () => Promise<D>)() : Promise.resolve(source);
      try {
        (request.context as WithDeps<D>).deps = await ready;
      } catch (error) {
        ready = undefined;
        throw onFailure(error);
      }
    },
  };
}

/** The dependencies {@link lazyDeps} put on the context. */
export function depsOf<D>(context: Context): D {
  return (context as WithDeps<D>).deps;
}

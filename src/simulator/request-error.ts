/**
 * A request the simulator refuses, with the HTTP status and the text Jama would put in
 * `meta.message`. Thrown by the store and the routes; turned into an envelope by the server.
 */
export class JamaRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'JamaRequestError';
  }
}

export const badRequest = (message: string) => new JamaRequestError(400, message);
export const notFound = (message: string) => new JamaRequestError(404, message);

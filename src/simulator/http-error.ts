/**
 * A request the simulator refuses, with the HTTP status and the text Jama would put in
 * `meta.message`. Thrown by the store and the routes; turned into an envelope by the server.
 */
export class SimulatedJamaError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SimulatedJamaError';
  }
}

export const badRequest = (message: string) => new SimulatedJamaError(400, message);
export const notFound = (message: string) => new SimulatedJamaError(404, message);

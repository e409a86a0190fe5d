import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type EmbeddedAws, startEmbeddedAws } from '../../src/local/embedded-aws';
import { startWebhookServer, type WebhookServer } from '../../src/local/webhook-server';
import { type JamaSimulator, startJamaSimulator } from '../../src/simulator/server';

/** Whether a TCP connection to host:port is accepted (false on refusal, unreachability or 1 s silence). */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Every address of this machine other than loopback (IPv4, and IPv6 except link-local, which needs a
 * scope), plus 127.0.0.2: loopback too, but not the 127.0.0.1 a loopback-only server binds.
 */
function otherAddresses(): string[] {
  const external = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => (a as { address: string }).address);
  return [...external, ...(process.platform === 'linux' ? ['127.0.0.2'] : [])];
}

/** Local addresses of the sockets listening on `port` (Linux /proc), e.g. ['0100007F'] for 127.0.0.1. */
function listeners(port: number): string[] | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined;
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') // 0A: LISTEN
    .map((cols) => (cols[1] as string).split(':')[0] as string);
}

// Servers start and stop in hooks and runs take seconds: more than jest's 5 s default.
jest.setTimeout(60_000);

describe('the simulator and the embedded services listen on loopback only', () => {
  let simulator: JamaSimulator;
  let webhook: WebhookServer;
  let aws: EmbeddedAws;
  const services: [string, () => string][] = [
    ['the Jama simulator', () => simulator.url],
    ['the webhook server', () => webhook.url],
    ['dynalite (DynamoDB)', () => aws.dynamodb],
    ['fauxqs (SQS)', () => aws.sqs],
  ];

  beforeAll(async () => {
    simulator = await startJamaSimulator({ projects: 1, itemsPerProject: 1 });
    webhook = await startWebhookServer({ handler: async () => ({ statusCode: 204 }) });
    aws = await startEmbeddedAws();
  });
  afterAll(async () => {
    await simulator?.close();
    await webhook?.close();
    await aws?.stop();
  });

  it.each(services)('%s is at 127.0.0.1 and answers there', async (_name, url) => {
    const { hostname, port } = new URL(url());
    expect(hostname).toBe('127.0.0.1');
    expect(await reachable('127.0.0.1', Number(port))).toBe(true);
  });

  it.each(services)('%s refuses connections to every other address of this machine', async (_name, url) => {
    const port = Number(new URL(url()).port);
    const addresses = otherAddresses();
    const open = [];
    for (const address of addresses) if (await reachable(address, port)) open.push(address);
    expect(open).toEqual([]);
    // The kernel's view, where it is readable: one listener, bound to 127.0.0.1 (not 0.0.0.0 or ::).
    const bound = listeners(port);
    if (bound) expect(bound).toEqual(['0100007F']);
  });
});

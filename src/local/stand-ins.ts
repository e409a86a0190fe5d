import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';
import type { EmbeddedAws, EmbeddedAwsOptions } from './embedded-aws';
import { runCredentials } from './embedded-aws';

/**
 * Makes a stand-in refuse every request not signed (AWS SigV4) with this run's access key id, as
 * AWS refuses an unknown key: another local user cannot inject jobs into the queues or read the
 * mirror without the owner-only state file. The key id is 128 random bits, checked in constant
 * time; the signature itself is not recomputed (that needs the body before the stand-in reads it).
 */
function requireCredentials(
  server: Server,
  accessKeyId: string,
  refusal: (res: ServerResponse) => void,
): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const expected = Buffer.from(accessKeyId);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const given = Buffer.from(/Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const signed = /^AWS4-HMAC-SHA256 /.test(req.headers.authorization ?? '');
    if (!signed || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      req.resume();
      refusal(res);
      return;
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
}

function refuse(type: string, message: string) {
  return (res: ServerResponse) => {
    res
      .writeHead(403, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': `${type};Sender`,
      })
      .end(JSON.stringify({ __type: type, message }));
  };
}

/**
 * Starts DynamoDB (dynalite) and SQS (fauxqs) in the calling thread on loopback, in memory or under
 * `dataDir`, accepting only requests signed with this run's credentials (returned, for clients).
 * fauxqs's own `startFauxqs` listens on 0.0.0.0, so its app is built and bound here instead.
 *
 * @example
 * const aws = await startStandIns();
 * const ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
 * // …
 * await aws.stop();
 */
export async function startStandIns(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';

  const dir = options.dataDir;
  const ports = dir ? await savedPorts(dir) : {};
  if (dir) await mkdir(join(dir, 'dynamodb'), { recursive: true, mode: 0o700 });
  const ddb: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dir ? { path: join(dir, 'dynamodb') } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    ddb.once('error', reject);
    ddb.listen(options.dynamodbPort ?? ports.dynamodb ?? 0, host, () => resolve());
  });
  const ddbPort = (ddb.address() as AddressInfo).port;
  const credentials = options.credentials ?? runCredentials();
  requireCredentials(
    ddb,
    credentials.accessKeyId,
    refuse('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  );

  // fauxqs is ESM-only; a dynamic import loads it from this CommonJS module.
  const { buildApp } = await import('fauxqs');
  let sqs: ReturnType<typeof buildApp>;
  let sqsAddress: string;
  try {
    const persisted = dir ? await persistentStores(join(dir, 'sqs')) : undefined;
    sqs = buildApp({
      logger: false,
      defaultRegion: region,
      ...(persisted ? { stores: persisted.stores } : {}),
    });
    if (persisted) sqs.addHook('preClose', () => persisted.close());
    sqsAddress = await sqs.listen({ port: options.sqsPort ?? ports.sqs ?? 0, host });
    requireCredentials(
      sqs.server,
      credentials.accessKeyId,
      refuse('InvalidClientTokenId', 'The security token included in the request is invalid.'),
    );
  } catch (error) {
    await new Promise((resolve) => ddb.close(resolve));
    throw error;
  }
  if (dir) await savePorts(dir, { dynamodb: ddbPort, sqs: Number(new URL(sqsAddress).port) });

  return {
    region,
    dynamodb: `http://${host}:${ddbPort}`,
    sqs: sqsAddress,
    credentials,
    async stop() {
      await Promise.all([sqs.close(), new Promise((resolve) => ddb.close(resolve))]);
    },
  };
}

/** The ports a data directory's stand-ins listened on before (queue URLs name them). */
async function savedPorts(dir: string): Promise<{ dynamodb?: number; sqs?: number }> {
  try {
    return JSON.parse(await readFile(join(dir, 'ports.json'), 'utf8')) as { dynamodb?: number; sqs?: number };
  } catch {
    return {};
  }
}

async function savePorts(dir: string, ports: { dynamodb: number; sqs: number }): Promise<void> {
  await writeFile(join(dir, 'ports.json'), `${JSON.stringify(ports)}\n`, { mode: 0o600 });
}

type FauxqsStores = NonNullable<NonNullable<Parameters<typeof import('fauxqs').buildApp>[0]>['stores']>;

/**
 * fauxqs's stores with its SQLite persistence loaded and wired in, as its `startFauxqs` does; that
 * function also binds 0.0.0.0, so the app is built and bound to loopback here instead. The
 * modules are fauxqs's own, loaded from its package directory (its exports map lists only `.`).
 */
async function persistentStores(dir: string): Promise<{ stores: FauxqsStores; close(): void }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const root = fauxqsRoot();
  const load = (file: string) => import(join(root, 'dist', file));
  const [{ PersistenceManager }, { SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([
    load('persistence.js'),
    load('sqs/sqsStore.js'),
    load('sns/snsStore.js'),
    load('s3/s3Store.js'),
  ]);
  const persistence = new PersistenceManager(dir);
  const stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
  persistence.load(stores.sqsStore, stores.snsStore, stores.s3Store);
  stores.sqsStore.persistence = persistence;
  stores.snsStore.persistence = persistence;
  stores.s3Store.persistence = persistence;
  for (const queue of stores.sqsStore.allQueues()) {
    queue.persistence = persistence;
    // Whoever had these in flight died with the last process (LevelDB's lock keeps a data directory
    // to one process): hand them out again now rather than after the visibility timeout.
    for (const entry of queue.inflightMessages.values()) entry.visibilityDeadline = 0;
  }
  return { stores: stores as FauxqsStores, close: () => persistence.close() };
}

function fauxqsRoot(): string {
  // From this module (jama-sync's own install; it runs as ESM in its thread), else from the working directory.
  const self = fileURLToPath(import.meta.url);
  for (const base of [
    ...(createRequire(self).resolve.paths('fauxqs') ?? []),
    ...(createRequire(join(process.cwd(), 'noop.js')).resolve.paths('fauxqs') ?? []),
  ]) {
    if (existsSync(join(base, 'fauxqs', 'dist', 'persistence.js'))) return join(base, 'fauxqs');
  }
  throw new Error('fauxqs is not installed where jama-sync can find its persistence module');
}

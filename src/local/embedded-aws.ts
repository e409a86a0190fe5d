import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Endpoints and static credentials of a running set of AWS stand-ins. */
export interface AwsEndpoints {
  region: string;
  dynamodb: string;
  sqs: string;
  /**
   * The credentials the stand-ins accept: generated for each run of embedded ones (see
   * {@link startEmbeddedAws}); for other emulators, fixed ones that keep the SDK from searching.
   */
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface EmbeddedAws extends AwsEndpoints {
  stop(): Promise<void>;
}

export interface EmbeddedAwsOptions {
  /** Interface to bind. Loopback only, so nothing on the network can reach the stand-ins. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  dynamodbPort?: number;
  /** @default 0 (a free port) */
  sqsPort?: number;
  /** @default 'us-east-1' */
  region?: string;
  /**
   * Keep DynamoDB (dynalite's LevelDB store) and SQS (fauxqs's SQLite persistence, written through
   * on every change) in this directory, so that acknowledged work survives a crash and a restart
   * resumes it. The ports are kept there too: queue URLs name them. @default undefined (in memory)
   */
  dataDir?: string;
  /** The only credentials accepted. @default generated at random for this run */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Credentials for emulators that accept any (moto_server, LocalStack); the embedded ones refuse them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Fresh credentials for one run of the embedded stand-ins. */
export function runCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKJS${randomBytes(16).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}
/**
 * Starts DynamoDB (dynalite) and SQS (fauxqs) on loopback, in memory or under `dataDir`, accepting
 * only requests signed with this run's credentials (returned, for clients) — in a worker thread of
 * their own (src/local/stand-ins.ts), as AWS runs them on other machines: their request parsing,
 * validation and storage take as much CPU as the handlers they serve, and on the handlers' thread
 * they would halve the rate a local run can reach. Stopping closes them and ends the thread.
 *
 * @example
 * const aws = await startEmbeddedAws();
 * const ddb = new DynamoDBClient(clientConfig(aws, 'dynamodb'));
 * // …
 * await aws.stop();
 */
export async function startEmbeddedAws(options: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  const resolve = createRequire(here()).resolve;
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    // Not the parent's flags (a V8 flag there would refuse the thread). Its one warning is node:sqlite's
    // (fauxqs's persistence) "experimental" on every start.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    workerData: {
      tsx: resolve('tsx/esm/api'),
      module: pathToFileURL(join(here(), '..', 'stand-ins.ts')).href,
      options: { ...options, credentials: options.credentials ?? runCredentials() },
    },
  });
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  const reply = await new Promise<ThreadReply>((done) => {
    worker.once('message', done);
    worker.once('error', (error) => done({ error: { message: error.message } }));
    worker.once('exit', (code) => done({ error: { message: `the stand-ins' thread ended (code ${code})` } }));
  });
  if ('error' in reply) {
    await worker.terminate();
    throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
  }
  return {
    ...reply.endpoints,
    async stop() {
      if (exited) return;
      const stopped = new Promise((done) => {
        worker.once('message', done);
        worker.once('exit', done);
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

type ThreadReply = { endpoints: AwsEndpoints } | { error: { message: string; code?: string } };

/** The thread: TypeScript through tsx (registered in the thread: hooks are per thread), then the stand-ins. */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  require(workerData.tsx).register();
  const { startStandIns } = await import(workerData.module);
  const aws = await startStandIns(workerData.options);
  const { stop, ...endpoints } = aws;
  parentPort.once('message', async () => {
    await aws.stop();
    parentPort.postMessage('stopped');
  });
  parentPort.postMessage({ endpoints });
})().catch((error) => parentPort.postMessage({ error: { message: error.message, code: error.code } }));
`;

/** This module's path, under the CLI (ESM through tsx) and under jest (CommonJS). */
function here(): string {
  return typeof __filename === 'string' ? __filename : new URL(import.meta.url).pathname;
}

/** SDK v3 client configuration for one service of a set of stand-ins. */
export function clientConfig(endpoints: AwsEndpoints, service: 'dynamodb' | 'sqs') {
  return {
    region: endpoints.region,
    endpoint: endpoints[service],
    credentials: endpoints.credentials,
  };
}

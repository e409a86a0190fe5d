import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { buildWebhookDeps } from '../../functions/webhook/build-deps';
import { makeHandler } from '../../functions/webhook/handler';
import { loadWebhookConfig, toWebhookEnvironment, WEBHOOK_ENV } from '../config';
import { UsageError } from '../core/errors';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../core/signature';
import type { IngestDeps } from '../core/webhook/ingest';
import { localLogger } from './human-logger';
import { startWebhookServer } from './webhook-server';

/** A source whose secret this process knows (inline in `JAMA_SYNC_WEBHOOK_SOURCES`, or generated). */
export interface KnownSource {
  name: string;
  secret: string;
  /** True when generated at start because `JAMA_SYNC_WEBHOOK_SOURCES` was not set. */
  generated: boolean;
}

export interface LocalWebhook {
  /** e.g. `http://127.0.0.1:41234`; a source posts to `${url}/webhooks/<name>`. */
  url: string;
  sources: KnownSource[];
  /** Events in requests answered 202 (coalesced duplicates included). */
  readonly events: number;
  readonly requests: number;
  close(): Promise<void>;
}

export interface LocalWebhookOptions {
  /** Configuration variables: `JAMA_SYNC_WEBHOOK_SOURCES`, `JAMA_SYNC_PENDING_TTL_SECONDS`, and the Jama environment(s). */
  env: Record<string, string | undefined>;
  stateTable: string;
  jobsQueueUrl: string;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  /** @default 0 (a free port) */
  port?: number | undefined;
  /** Replace parts of the webhook's dependencies (tests). */
  adjust?: ((deps: IngestDeps) => IngestDeps) | undefined;
  /** The configured Jama environments' names: a generated source each when there are several. */
  environments?: readonly string[];
}

/**
 * The webhook function on 127.0.0.1, as its Function URL serves it in AWS. Sources come from
 * `JAMA_SYNC_WEBHOOK_SOURCES`; without it, one source per Jama environment with a random secret
 * (printed at start): `demo` for a single environment, `demo-<env>` for each of several (as the
 * stack's default is one source per environment).
 */
export async function startLocalWebhook(options: LocalWebhookOptions): Promise<LocalWebhook> {
  const names = options.environments ?? [];
  const generated = options.env[WEBHOOK_ENV.sources]
    ? []
    : names.length > 1
      ? names.map((env) => ({ name: `demo-${env}`, env, secret: randomBytes(24).toString('base64url') }))
      : [{ name: 'demo', secret: randomBytes(24).toString('base64url') }];
  const config = loadWebhookConfig({
    ...options.env,
    ...toWebhookEnvironment({
      sources: options.env[WEBHOOK_ENV.sources] === undefined ? generated : undefined,
      stateTable: options.stateTable,
      jobsQueueUrl: options.jobsQueueUrl,
    }),
  });
  const built = await buildWebhookDeps(config, options.clients);
  const handler = makeHandler(options.adjust ? options.adjust(built) : built, {
    logger: localLogger('jama-sync-webhook'),
  });
  let events = 0;
  let requests = 0;
  const server = await startWebhookServer({
    port: options.port ?? 0,
    handler: async (event, context) => {
      const result = await handler(event, context);
      requests++;
      if (result.statusCode === 202) events += Number(JSON.parse(result.body ?? '{}').accepted ?? 0);
      return result;
    },
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new UsageError(
      `Port ${options.port} is in use: pick another with --webhook-port, or leave it out for a free one.`,
    );
  });
  return {
    url: server.url,
    sources: config.sources.flatMap((s) =>
      s.secret
        ? [{ name: s.name, secret: s.secret, generated: generated.some((g) => g.name === s.name) }]
        : [],
    ),
    get events() {
      return events;
    },
    get requests() {
      return requests;
    },
    close: () => server.close(),
  };
}

/** POSTs `payload` to a source of a jama-sync webhook, signed as docs/webhooks.md describes. */
export async function postSigned(
  url: string,
  source: { name: string; secret: string },
  payload: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(`${url}/webhooks/${encodeURIComponent(source.name)}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: sign(source.secret, timestamp, body),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

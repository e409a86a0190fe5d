import type { Clock } from '../clock';
import type { JobInput } from '../jobs';
import { mapPool } from '../pool';
import type { JobQueue } from '../ports/job-queue';
import type { ClaimResult, PendingMarkers } from '../ports/pending-markers';
import type { ReplayGuard } from '../ports/replay-guard';
import { relationshipMarkerScope } from '../relationships/records';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../signature';
import { authenticate, REPLAY_WINDOW_MS } from './authenticate';
import { describeIssues, nativeBodySchema } from './contract';
import { WebhookError } from './errors';
import { applyMapping, expressionFor } from './mapping';
import { type JobPlan, packBatches, planJobs, requestId } from './plan';
import type { IngestCounts } from './respond';
import type { WebhookSource } from './source';

/** Largest body accepted (decoded bytes); larger ones get 413. */
export const MAX_BODY_BYTES = 256 * 1024;

/** One HTTP request, independent of Lambda or node:http. Header names are lower case. */
export interface WebhookRequest {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: Uint8Array;
}

export interface IngestDeps {
  /** Configured sources by name. */
  sources: ReadonlyMap<string, WebhookSource>;
  queue: JobQueue;
  markers: PendingMarkers;
  clock: Clock;
  /**
   * Accepted requests, remembered for the replay window: an exact replay gets 409 and queues
   * nothing. `buildWebhookDeps` always provides it (state table, in AWS and locally).
   */
  replays?: ReplayGuard;
  /** SendMessageBatch calls in flight at once. @default 4 */
  sendConcurrency?: number;
}

export interface IngestResult extends IngestCounts {
  source: string;
  env: string;
}

const ROUTE = /^\/webhooks\/([^/]+)\/?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Handles `POST /webhooks/{source}`: size, route, signature and replay window, JSON, mapping and
 * schema — each failure a 4xx {@link WebhookError} — then remembers the request's signature (an
 * exact replay inside the window is a 409 and queues nothing), plans jobs, claims pending-pull markers
 * so a pull already queued is not queued again, and resolves only once SQS accepted every job. If
 * anything could not be queued, the markers it claimed are released and it throws a 503, so the
 * sender's retry is not coalesced into a pull that never was.
 *
 * @example
 * const counts = await ingest({ method: 'POST', path: '/webhooks/ci', headers, body }, deps);
 */
export async function ingest(request: WebhookRequest, deps: IngestDeps): Promise<IngestResult> {
  if (request.body.byteLength > MAX_BODY_BYTES) {
    throw new WebhookError('WEBHOOK_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const name = ROUTE.exec(request.path)?.[1];
  if (name === undefined)
    throw new WebhookError('WEBHOOK_NOT_FOUND', 'webhooks are at POST /webhooks/{source}');
  if (request.method !== 'POST') throw new WebhookError('WEBHOOK_METHOD', 'use POST');
  const source = deps.sources.get(name);
  if (!source) throw new WebhookError('WEBHOOK_UNKNOWN_SOURCE', `no webhook source \`${name.slice(0, 64)}\``);

  let text: string;
  try {
    text = utf8.decode(request.body);
  } catch {
    throw new WebhookError('WEBHOOK_BODY_INVALID', 'the body is not UTF-8');
  }
  authenticate(request.headers, text, source.secret, deps.clock.now());

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WebhookError('WEBHOOK_BODY_INVALID', `the body is not JSON: ${(error as Error).message}`);
  }
  const mapping = source.mapping;
  const mapped = mapping === 'native' ? { body: json, ignored: 0 } : mapMapped(mapping, json);
  const parsed = nativeBodySchema.safeParse(mapped.body);
  if (!parsed.success) {
    const from =
      mapping === 'native' ? undefined : (path: readonly PropertyKey[]) => expressionFor(mapping, path);
    throw new WebhookError('WEBHOOK_SCHEMA', describeIssues(parsed.error, from));
  }
  const { events } = parsed.data;
  const signature = request.headers[SIGNATURE_HEADER] as string;
  const plan = planJobs(source.env, events, {
    now: deps.clock.now(),
    requestId: requestId(source.name, signature),
  });
  const stamp = Number(request.headers[TIMESTAMP_HEADER]) * 1000;
  const forget = () => deps.replays?.forget(source.name, signature);

  // The nonce first, then the markers: a replay must never hold a marker, even for a moment, that a
  // concurrent genuine event could coalesce into.
  if (deps.replays) {
    const fresh = await remember(
      deps.replays,
      source.name,
      signature,
      stamp + REPLAY_WINDOW_MS,
      deps.clock.now(),
    );
    if (!fresh)
      throw new WebhookError(
        'WEBHOOK_REPLAY',
        'this signed request was already accepted; nothing was queued',
      );
  }
  const ids = plan.pulls.map((p) => p.itemId);
  const claim: ClaimResult = ids.length
    ? await deps.markers
        .claim(source.env, ids)
        .catch((error: unknown) => ({ claimed: [], pending: [], error }))
    : { claimed: [], pending: [] };
  if (claim.error !== undefined) {
    await fail(
      deps,
      source.env,
      claim.claimed,
      claim.error,
      'the pending-pull markers are unavailable',
      forget,
    );
  }
  const links = await claimRelationships(deps, source.env, plan.relationshipPulls, claim.claimed, forget);
  const claimed = new Set(claim.claimed);
  const jobs: JobInput[] = [
    ...plan.pulls.filter((p) => claimed.has(p.itemId)),
    ...plan.others,
    ...links.jobs,
  ];
  try {
    await sendAll(deps, jobs);
  } catch (error) {
    await fail(
      deps,
      source.env,
      claim.claimed,
      error,
      'the queue did not accept every job',
      forget,
      links.claimed,
    );
  }
  return {
    source: source.name,
    env: source.env,
    accepted: events.length + mapped.ignored,
    enqueued: jobs.length,
    coalesced: plan.coalesced + claim.pending.length + links.pending,
    ignored: mapped.ignored,
  };
}

async function remember(
  replays: ReplayGuard,
  source: string,
  signature: string,
  expiresAt: number,
  now: number,
) {
  try {
    return await replays.remember(source, signature, expiresAt, now);
  } catch (error) {
    throw new WebhookError(
      'WEBHOOK_UNAVAILABLE',
      'the replay store is unavailable; nothing was queued, retry',
      {
        cause: error,
      },
    );
  }
}

function mapMapped(mapping: Exclude<WebhookSource['mapping'], 'native'>, json: unknown) {
  const { events, ignored } = applyMapping(mapping, json);
  return { body: { events }, ignored };
}

async function sendAll(deps: IngestDeps, jobs: JobInput[]): Promise<void> {
  await mapPool(packBatches(jobs), deps.sendConcurrency ?? 4, (group) => deps.queue.send(group));
}

/**
 * Claims pending markers for relationship re-reads (scope {@link relationshipMarkerScope}), like
 * item pulls: a relationship whose re-read is already queued is not queued again.
 */
async function claimRelationships(
  deps: IngestDeps,
  env: string,
  pulls: JobPlan['relationshipPulls'],
  itemsClaimed: number[],
  forget: () => Promise<void> | undefined,
): Promise<{ jobs: JobInput[]; claimed: number[]; pending: number }> {
  const ids = pulls.flatMap((p) => p.relationshipIds);
  if (ids.length === 0) return { jobs: [], claimed: [], pending: 0 };
  const claim = await deps.markers
    .claim(relationshipMarkerScope(env), ids)
    .catch((error: unknown): ClaimResult => ({ claimed: [], pending: [], error }));
  if (claim.error !== undefined) {
    const what = 'the pending-pull markers are unavailable';
    await fail(deps, env, itemsClaimed, claim.error, what, forget, claim.claimed);
  }
  const claimed = new Set(claim.claimed);
  const jobs = pulls
    .map((p) => ({ ...p, relationshipIds: p.relationshipIds.filter((id) => claimed.has(id)) }))
    .filter((p) => p.relationshipIds.length > 0);
  return { jobs, claimed: claim.claimed, pending: claim.pending.length };
}

/** Releases what this request claimed, then answers 503: nothing is acknowledged, so the sender retries. */
async function fail(
  deps: IngestDeps,
  env: string,
  claimed: number[],
  cause: unknown,
  what: string,
  forget: () => Promise<void> | undefined,
  relationshipsClaimed: number[] = [],
): Promise<never> {
  let releaseError: unknown;
  if (claimed.length)
    await deps.markers.release(env, claimed).catch((error: unknown) => (releaseError = error));
  await forget()?.catch((error: unknown) => (releaseError ??= error));
  if (relationshipsClaimed.length)
    await deps.markers
      .release(relationshipMarkerScope(env), relationshipsClaimed)
      .catch((error: unknown) => (releaseError ??= error));
  throw new WebhookError('WEBHOOK_UNAVAILABLE', `${what}; nothing was acknowledged, retry the request`, {
    cause:
      releaseError === undefined ? cause : new AggregateError([cause, releaseError], 'release failed too'),
  });
}

import type { z } from 'zod';
import { JamaAuthError } from '../../core/jama-errors';
import type {
  JamaActivity,
  JamaItem,
  JamaItemInput,
  JamaItemType,
  JamaProject,
  Page,
  PatchOperation,
} from '../../core/jama-types';
import {
  type AbstractItemsQuery,
  type ActivitiesQuery,
  type CallOptions,
  JAMA_MAX_RESULTS,
  type JamaActivitySource,
  type JamaApi,
} from '../../core/ports/jama-api';
import type { RelationshipApi } from '../../core/ports/relationship-api';
import type { JamaPickListOption, JamaUser } from '../../core/reference/model';
import type {
  JamaRelationship,
  JamaRelationshipType,
  RelationshipCursor,
  RelationshipPage,
} from '../../core/relationships/types';
import { type Authenticator, createAuthenticator } from './auth';
import { type JamaClientOptions, type ResolvedJamaClientOptions, resolveJamaClientOptions } from './options';
import { assertId, dateFilter, paging, type QueryValue, queryString } from './query';
import { relationshipPage } from './relationship-paging';
import {
  activitySchema,
  itemSchema,
  itemTypeSchema,
  parseCreatedId,
  parsePage,
  parseSingle,
  pickListOptionSchema,
  projectSchema,
  relationshipSchema,
  relationshipTypeSchema,
  userSchema,
} from './schemas';
import { TtlCache } from './single-flight';
import { type HttpMethod, type JamaClientStats, JamaTransport } from './transport';

/**
 * The Jama Connect REST v1 client: an undici keep-alive `Pool`, OAuth client credentials (or basic
 * auth), and the shared {@link RateLimiter} in front of every request, token requests included.
 *
 * Retry policy, explicitly: the client retries nothing but one 401 on an OAuth call (after fetching
 * a fresh token). A 429 is reported to the limiter (`onThrottled`) and thrown as
 * `JamaRateLimitedError`; 5xx, network errors and timeouts are thrown with `retryable: true`.
 * The caller — the worker handing jobs back to SQS — decides when to try again.
 *
 * @example
 * const jama = new JamaClient({
 *   url: 'https://tenant.jamacloud.com',
 *   credentials: { type: 'oauth', clientId, clientSecret },
 *   limiter,
 * });
 * const item = await jama.getItem(115200);
 * for await (const item of jama.iterateItems(20)) console.log(item.documentKey);
 * await jama.close();
 */
export class JamaClient implements JamaApi, JamaActivitySource, RelationshipApi {
  /** The normalised base URL, e.g. `https://tenant.jamacloud.com`. */
  readonly baseUrl: string;
  private readonly options: ResolvedJamaClientOptions;
  private readonly transport: JamaTransport;
  private readonly auth: Authenticator;
  private readonly projects: TtlCache<JamaProject[]>;
  private readonly itemTypes: TtlCache<JamaItemType[]>;
  private readonly relationshipTypes: TtlCache<JamaRelationshipType[]>;
  private readonly refreshedFor = new Set<number>();

  /** @throws {ConfigError} listing every invalid option. */
  constructor(options: JamaClientOptions) {
    this.options = resolveJamaClientOptions(options);
    const { credentials, urls, clock } = this.options;
    const secrets =
      credentials.type === 'oauth'
        ? [credentials.clientSecret, credentials.clientId]
        : [credentials.password, credentials.username];
    this.baseUrl = urls.display;
    this.transport = new JamaTransport(this.options, credentials.type, secrets);
    this.auth = createAuthenticator(
      credentials,
      this.transport,
      urls.tokenPath,
      clock,
      this.options.tokenRefreshMarginMs,
    );
    this.projects = new TtlCache(clock, this.options.referenceDataTtlMs);
    this.itemTypes = new TtlCache(clock, this.options.referenceDataTtlMs);
    this.relationshipTypes = new TtlCache(clock, this.options.referenceDataTtlMs);
  }

  async getItem(id: number, options?: CallOptions): Promise<JamaItem> {
    assertId('id', id);
    const { body, context } = await this.call('GET', `/items/${id}`, {}, undefined, options);
    return parseSingle(itemSchema, body, context);
  }

  async getItemsByDocumentKeys(keys: readonly string[], options?: CallOptions): Promise<JamaItem[]> {
    const wanted = [...new Set(keys)];
    for (const key of wanted) {
      if (typeof key !== 'string' || key === '') {
        throw new RangeError(`Expected \`keys\` to hold non-empty strings, got \`${String(key)}\``);
      }
    }
    const found: JamaItem[] = [];
    for (let i = 0; i < wanted.length; i += JAMA_MAX_RESULTS) {
      const chunk = wanted.slice(i, i + JAMA_MAX_RESULTS);
      const keep = new Set(chunk);
      // One call per chunk; more pages only if Jama matched more than asked (it should not).
      for await (const item of this.iterateAbstractItems({ documentKey: chunk }, options)) {
        if (keep.has(item.documentKey)) found.push(item);
      }
    }
    return found;
  }

  async searchAbstractItems(query: AbstractItemsQuery, options?: CallOptions): Promise<Page<JamaItem>> {
    const { startAt, maxResults } = paging(query.startAt, query.maxResults);
    const params = {
      project: query.project,
      itemType: query.itemType,
      documentKey: query.documentKey,
      createdDate: dateFilter(query.createdDate),
      modifiedDate: dateFilter(query.modifiedDate),
      lastActivityDate: dateFilter(query.lastActivityDate),
      sortBy: query.sortBy,
      startAt,
      maxResults,
    };
    return this.page('/abstractitems', params, itemSchema, startAt, options);
  }

  listProjects(options?: CallOptions): Promise<JamaProject[]> {
    return this.projects.get(
      () => this.all('/projects', {}, projectSchema, withoutSignal(options)),
      options?.signal,
    );
  }

  listItemTypes(options?: CallOptions): Promise<JamaItemType[]> {
    return this.itemTypes.get(
      () => this.all('/itemtypes', {}, itemTypeSchema, withoutSignal(options)),
      options?.signal,
    );
  }

  listPickListOptions(pickList: number, options?: CallOptions): Promise<JamaPickListOption[]> {
    assertId('pickList', pickList);
    return this.all(`/picklists/${pickList}/options`, {}, pickListOptionSchema, options);
  }

  listUsers(options?: CallOptions): Promise<JamaUser[]> {
    return this.all('/users', {}, userSchema, options);
  }

  async getCurrentUser(options?: CallOptions): Promise<JamaUser> {
    const { body, context } = await this.call('GET', '/users/current', {}, undefined, options);
    return parseSingle(userSchema, body, context);
  }

  async listActivities(query: ActivitiesQuery, options?: CallOptions): Promise<Page<JamaActivity>> {
    assertId('project', query.project);
    const { startAt, maxResults } = paging(query.startAt, query.maxResults);
    const params = {
      project: query.project,
      date: dateFilter(query.date),
      eventType: query.eventType,
      objectType: query.objectType,
      deleteEvents: query.deleteEvents,
      startAt,
      maxResults,
    };
    return this.page('/activities', params, activitySchema, startAt, options);
  }

  listRelationships(
    project: number,
    cursor: RelationshipCursor,
    options?: CallOptions,
  ): Promise<RelationshipPage> {
    assertId('project', project);
    return relationshipPage(
      (at) =>
        this.page(
          '/relationships',
          { project, ...at, maxResults: JAMA_MAX_RESULTS },
          relationshipSchema,
          'startAt' in at ? at.startAt : 0,
          options,
        ),
      cursor,
    );
  }

  async getRelationship(id: number, options?: CallOptions): Promise<JamaRelationship> {
    assertId('id', id);
    const { body, context } = await this.call('GET', `/relationships/${id}`, {}, undefined, options);
    return parseSingle(relationshipSchema, body, context);
  }

  async listRelationshipTypes(
    options?: CallOptions,
    needed: readonly number[] = [],
  ): Promise<JamaRelationshipType[]> {
    const load = () =>
      this.relationshipTypes.get(
        () => this.all('/relationshiptypes', {}, relationshipTypeSchema, withoutSignal(options)),
        options?.signal,
      );
    const types = await load();
    const unknown = needed.filter((id) => !types.some((t) => t.id === id) && !this.refreshedFor.has(id));
    if (unknown.length === 0) return types;
    // A type created since the list was cached: read it again, once per unknown id (a type Jama
    // does not list at all must not cost a call per page).
    for (const id of unknown) this.refreshedFor.add(id);
    this.relationshipTypes.clear();
    return load();
  }

  async patchItem(id: number, ops: readonly PatchOperation[], options?: CallOptions): Promise<void> {
    assertId('id', id);
    for (const op of ops) {
      if (!['add', 'replace', 'remove'].includes(op.op) || !/^\/fields\/.+/.test(op.path)) {
        throw new RangeError(
          `Expected patch operations with op add|replace|remove and path /fields/<name>, got \`${op.op} ${op.path}\``,
        );
      }
    }
    if (ops.length === 0) return; // Nothing to change: spend no call.
    await this.call('PATCH', `/items/${id}`, {}, ops, options);
  }

  async putItem(id: number, item: JamaItemInput, options?: CallOptions): Promise<void> {
    assertId('id', id);
    await this.call('PUT', `/items/${id}`, {}, item, options);
  }

  async createItem(input: JamaItemInput, options?: CallOptions): Promise<number> {
    const { body, context } = await this.call('POST', '/items', {}, input, options);
    return parseCreatedId(body, context);
  }

  async deleteItem(id: number, options?: CallOptions): Promise<void> {
    assertId('id', id);
    await this.call('DELETE', `/items/${id}`, {}, undefined, options);
  }

  iterateAbstractItems(query: AbstractItemsQuery, options?: CallOptions): AsyncIterable<JamaItem> {
    return sequentialPages(query.startAt ?? 0, (startAt) =>
      this.searchAbstractItems({ ...query, startAt, maxResults: JAMA_MAX_RESULTS }, options),
    );
  }

  iterateItems(project: number, options?: CallOptions): AsyncIterable<JamaItem> {
    assertId('project', project);
    return sequentialPages(0, (startAt) =>
      this.page('/items', { project, startAt, maxResults: JAMA_MAX_RESULTS }, itemSchema, startAt, options),
    );
  }

  iterateActivities(query: ActivitiesQuery, options?: CallOptions): AsyncIterable<JamaActivity> {
    return sequentialPages(query.startAt ?? 0, (startAt) =>
      this.listActivities({ ...query, startAt, maxResults: JAMA_MAX_RESULTS }, options),
    );
  }

  /** HTTP requests sent so far (token requests included), by status; `error` counts requests with no answer. */
  stats(): JamaClientStats {
    return this.transport.stats();
  }

  /** Closes the keep-alive connections; later calls fail. */
  close(): Promise<void> {
    return this.transport.close();
  }

  private async page<T>(
    resource: string,
    params: Record<string, QueryValue>,
    schema: z.ZodType<T>,
    startAt: number,
    options: CallOptions | undefined,
  ): Promise<Page<T>> {
    const { body, context } = await this.call('GET', resource, params, undefined, options);
    // Item pages isolate malformed items (the scan quarantines them); other pages fail whole.
    return parsePage(schema, body, context, startAt, (schema as unknown) === itemSchema);
  }

  private async all<T>(
    resource: string,
    params: Record<string, QueryValue>,
    schema: z.ZodType<T>,
    options: CallOptions | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    const pages = sequentialPages(0, (startAt) =>
      this.page(resource, { ...params, startAt, maxResults: JAMA_MAX_RESULTS }, schema, startAt, options),
    );
    for await (const entry of pages) out.push(entry);
    return out;
  }

  /** One REST call; with OAuth, a 401 drops the token and the call is tried once more with a fresh one. */
  private async call(
    method: HttpMethod,
    resource: string,
    params: Record<string, QueryValue>,
    json: unknown,
    options: CallOptions = {},
  ): Promise<{ body: unknown; context: { method: string; path: string } }> {
    const path = `${this.options.urls.restPath}${resource}${queryString(params)}`;
    const context = { method, path };
    for (let attempt = 1; ; attempt++) {
      const authorization = await this.auth.authorization(options);
      try {
        const response = await this.transport.send(
          {
            method,
            path,
            headers:
              json === undefined ? { authorization } : { authorization, 'content-type': 'application/json' },
            ...(json === undefined ? {} : { body: JSON.stringify(json) }),
          },
          options,
        );
        return { body: response.body, context };
      } catch (error) {
        const retry = attempt === 1 && error instanceof JamaAuthError && error.status === 401;
        if (!retry || !this.auth.rejected(authorization)) throw error;
      }
    }
  }
}

/** Cached loads are shared between callers, so one caller's signal must not cancel them. */
function withoutSignal(options: CallOptions | undefined): CallOptions | undefined {
  return options?.maxWaitMs === undefined ? undefined : { maxWaitMs: options.maxWaitMs };
}

/**
 * Yields every entry, fetching the next page only after the previous one arrived and its entries
 * were consumed — never pages in parallel, which would burst past Jama's 10 calls/s.
 */
async function* sequentialPages<T>(
  startAt: number,
  fetch: (startAt: number) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let next = startAt;
  for (;;) {
    const page = await fetch(next);
    yield* page.data;
    const returned = page.data.length + (page.rejected?.length ?? 0);
    next = page.startIndex + returned;
    if (returned === 0 || next >= page.totalResults) return;
  }
}

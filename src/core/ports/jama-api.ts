import type {
  JamaActivity,
  JamaActivityEventType,
  JamaActivityObjectType,
  JamaItem,
  Page,
  PatchOperation,
} from '../jama-types';
import type { Lane } from './rate-limiter';

/** Jama's largest page; also the most document keys one `/abstractitems` call takes here. */
export const JAMA_MAX_RESULTS = 50;

/**
 * A date filter in epoch ms: `[from]` means "at or after", `[from, to]` a range. Jama reads
 * `yyyy-MM-dd'T'HH:mm:ss.SSSZ`; the adapter writes it.
 */
export type DateFilter = readonly [from: number] | readonly [from: number, to: number];

/** `GET /abstractitems` filters. Arrays become repeated query parameters. */
export interface AbstractItemsQuery {
  project?: readonly number[] | undefined;
  itemType?: readonly number[] | undefined;
  documentKey?: readonly string[] | undefined;
  lastActivityDate?: DateFilter | undefined;
  modifiedDate?: DateFilter | undefined;
  createdDate?: DateFilter | undefined;
  /** e.g. `['lastActivityDate.asc', 'id.asc']`. */
  sortBy?: readonly string[] | undefined;
  /** @default 0 */
  startAt?: number | undefined;
  /** At most {@link JAMA_MAX_RESULTS}. @default 50 */
  maxResults?: number | undefined;
}

/** `GET /activities` filters for one project. */
export interface ActivitiesQuery {
  project: number;
  date?: DateFilter | undefined;
  eventType?: readonly JamaActivityEventType[] | undefined;
  objectType?: readonly JamaActivityObjectType[] | undefined;
  /** Include activities of deleted items. */
  deleteEvents?: boolean | undefined;
  /** @default 0 */
  startAt?: number | undefined;
  /** At most {@link JAMA_MAX_RESULTS}. @default 50 */
  maxResults?: number | undefined;
}

/**
 * Per-call options: every call first takes a slot from the shared rate limiter. Optional fields of
 * these types also accept an explicit `undefined`, so callers can build them conditionally.
 */
export interface CallOptions {
  /** Aborts the wait for a limiter slot and the HTTP request; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Longest wait for a limiter slot before `LimiterWaitError`; overrides the client's default. */
  maxWaitMs?: number | undefined;
  /** The limiter lane of the call (`AcquireOptions.lane`). @default 'interactive' */
  lane?: Lane | undefined;
}

/**
 * The Jama Connect REST port: the calls the core makes, and no more (the adapter, `JamaClient`,
 * also lists reference data, writes whole items and pages other streams). Every HTTP request an implementation sends
 * (token requests included) first takes a slot from the shared `RateLimiter`. Implementations do
 * not retry 429s, 5xx or network errors: they throw typed errors (`./jama-errors`) whose
 * `retryable` flag tells the caller whether trying later can help.
 */
export interface JamaApi {
  /** `GET /items/{id}`. @throws {JamaNotFoundError} when the item does not exist (or was deleted). */
  getItem(id: number, options?: CallOptions): Promise<JamaItem>;
  /**
   * Items by document key via `GET /abstractitems?documentKey=…`, one call per 50 keys (sent one
   * after another). Keys Jama does not know are simply absent from the result.
   */
  getItemsByDocumentKeys(keys: readonly string[], options?: CallOptions): Promise<JamaItem[]>;
  /** One page of `GET /abstractitems`. */
  searchAbstractItems(query: AbstractItemsQuery, options?: CallOptions): Promise<Page<JamaItem>>;
  /** `PATCH /items/{id}`; an empty list of operations sends nothing. */
  patchItem(id: number, ops: readonly PatchOperation[], options?: CallOptions): Promise<void>;
}

/** Jama's activity stream: what reconciliation and relationship jobs read to find deletes and changes. */
export interface JamaActivitySource {
  /** Every activity matching the query, fetching pages of 50 one after another. */
  iterateActivities(query: ActivitiesQuery, options?: CallOptions): AsyncIterable<JamaActivity>;
}

import type { ReferenceReader } from '../../core/ports/reference-data';
import type { JamaClient } from './jama-client';

/** The reference-data reads of a Jama client. */
type ReferenceSource = Pick<
  JamaClient,
  'listItemTypes' | 'listPickListOptions' | 'listUsers' | 'getCurrentUser' | 'listProjects'
>;

/**
 * {@link ReferenceReader} on a Jama client: every read is a REST call through the environment's
 * limiter. Build the client with `referenceDataTtlMs: 0` so that a refresh asked for by the
 * resolver reaches Jama rather than the client's own cache.
 */
export function jamaReferenceReader(
  jama: ReferenceSource,
  options: ReferenceReaderOptions = {},
): ReferenceReader {
  // Reference reads are rare (once per list and TTL) and a page's names wait for them: they may wait
  // longer for a limiter slot than an ordinary call before giving up.
  const call = { maxWaitMs: options.maxWaitMs ?? 20_000 };
  return {
    itemTypes: () => jama.listItemTypes(call),
    pickListOptions: (pickList) => jama.listPickListOptions(pickList, call),
    users: () => jama.listUsers(call),
    currentUser: () => jama.getCurrentUser(call),
    projects: () => jama.listProjects(call),
  };
}

export interface ReferenceReaderOptions {
  /** Longest wait for a limiter slot per reference read. @default 20000 */
  maxWaitMs?: number;
}

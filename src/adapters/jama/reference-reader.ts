import type { JamaApi } from '../../core/jama-api';
import type { ReferenceReader } from '../../core/reference/model';

/**
 * {@link ReferenceReader} on a Jama client: every read is a REST call through the environment's
 * limiter. Build the client with `referenceDataTtlMs: 0` so that a refresh asked for by the
 * resolver reaches Jama rather than the client's own cache.
 */
export function jamaReferenceReader(jama: JamaApi): ReferenceReader {
  return {
    itemTypes: () => jama.listItemTypes(),
    pickListOptions: (pickList) => jama.listPickListOptions(pickList),
    users: () => jama.listUsers(),
    currentUser: () => jama.getCurrentUser(),
    projects: () => jama.listProjects(),
  };
}

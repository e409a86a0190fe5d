import type { RejectedEntry } from '../jama-types';
import type { QuarantinedItem } from '../ports/quarantine';

/** Prefix of every quarantine reason, so operators can tell them from dead-lettered jobs. */
export const QUARANTINE_PREFIX = 'QUARANTINED';

/** A malformed entry of a scan page as a quarantined item. */
export function rejectedItem(env: string, entry: RejectedEntry, projectId?: number): QuarantinedItem {
  const project = entry.project ?? projectId;
  return {
    env,
    ...(entry.itemId === undefined ? {} : { itemId: entry.itemId }),
    ...(entry.documentKey === undefined ? {} : { documentKey: entry.documentKey }),
    ...(project === undefined ? {} : { projectId: project }),
    reason: `${QUARANTINE_PREFIX}: Jama returned a malformed item: ${entry.reason}`.slice(0, 1000),
  };
}

/**
 * Whether a sink's refusal of one record is permanent: retrying the same item can never pass
 * (DynamoDB's ValidationException — an item over 400 KB, say). Anything else is transient.
 */
export function isPermanentSinkError(error: Error): boolean {
  return error.name === 'ValidationException' || (error as { permanent?: unknown }).permanent === true;
}

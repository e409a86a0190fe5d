import { randomUUID } from 'node:crypto';
import { type BuildOptions, clientsOf } from '../../src/adapters/clients';
import { buildEnvironments, type JamaClients, jamaClientsOf } from '../../src/adapters/jama/environments';
import { DynamoDbRunCursorStore } from '../../src/adapters/run-cursors';
import { SqsJobQueue } from '../../src/adapters/sqs-job-queue';
import { DynamoDbReconcileState } from '../../src/adapters/watermarks';
import type { Config } from '../../src/config';
import type { StartDeps } from '../../src/core/reconcile/start';

export interface ReconcileDeps extends StartDeps, JamaClients {}

/**
 * Wires the reconcile function once per container: Jama clients on the environments' shared
 * limiters (its DELETE-activity reads take slots like every other call), the state table, and the
 * reconcile queue (`JAMA_SYNC_RECONCILE_QUEUE_URL`, else the jobs queue).
 */
export async function buildReconcileDeps(
  config: Readonly<Config>,
  options: BuildOptions = {},
): Promise<ReconcileDeps> {
  const { clock, dynamodb, sqs } = clientsOf(options);
  const clients = jamaClientsOf(await buildEnvironments(config, dynamodb, options));
  return {
    environments: config.environments,
    jama: (name) => clients.jamaClients.get(name),
    queue: new SqsJobQueue(sqs, config.reconcileQueueUrl),
    state: new DynamoDbReconcileState(dynamodb, config.stateTable),
    clock,
    overlapMs: config.reconcileOverlapMs,
    leaseMs: config.reconcileLeaseMs,
    stallMs: config.reconcileStallMs,
    cursors: new DynamoDbRunCursorStore(dynamodb, config.stateTable),
    nonce: () => randomUUID().slice(0, 8),
    ...clients,
  };
}

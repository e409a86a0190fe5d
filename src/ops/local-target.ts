import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ReconcileSummary } from '../core/reconcile/start';
import { LOCAL_CREDENTIALS } from '../local/embedded-aws';
import { type LocalState, readLocalState, STATE_FILE } from '../local/state-file';
import type { Deployment, ExistenceResult, LocalCounters } from './deployment';
import { OpsError } from './errors';

/** Asks the local process's loopback ops endpoint; says what to do when it does not answer. */
async function ops<T>(state: LocalState, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${state.ops.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${state.ops.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `The local jama-sync (pid ${state.pid}) does not answer at ${state.ops.url}: stop it and start it again with \`npm start\`.`,
      error,
    );
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) {
    throw new OpsError(
      'OPERATION_FAILED',
      `The local jama-sync refused ${path}: ${json.error?.message ?? res.status}`,
    );
  }
  return json as T;
}

/**
 * The `jama-sync local` running from `cwd`, found through its state file.
 *
 * @throws {OpsError} `TARGET_NOT_FOUND` when none runs there.
 */
export async function openLocal(cwd: string): Promise<Deployment> {
  const state = await readLocalState(cwd);
  if (!state) {
    throw new OpsError(
      'TARGET_NOT_FOUND',
      `No local jama-sync is running here (no live ${STATE_FILE} in ${cwd}): start one with \`npm start\`, or pass --stack NAME for a deployed stack.`,
    );
  }
  return localDeployment(state, {
    reconcile: (request) => ops<ReconcileSummary>(state, 'POST', '/reconcile', request),
    counters: () => ops<LocalCounters>(state, 'GET', '/stats'),
    check: (request) => ops<ExistenceResult>(state, 'POST', '/check', request),
  });
}

/**
 * A Deployment for the local process `state` describes: its embedded AWS through SDK clients, its
 * Jama work and counters through `through` (the ops endpoint, or the process itself for its own
 * dashboard, so both read the same figures the same way).
 */
export function localDeployment(
  state: LocalState,
  through: Pick<Deployment, 'reconcile' | 'check'> & Required<Pick<Deployment, 'counters'>>,
): Deployment {
  const client = {
    region: state.aws.region,
    // The embedded stand-ins accept only this run's credentials, kept in the owner-only state file.
    ...(state.aws.embedded ? { credentials: state.aws.credentials ?? { ...LOCAL_CREDENTIALS } } : {}),
  };
  const sqs = new SQSClient({ ...client, endpoint: state.aws.sqs });
  const dynamodb = new DynamoDBClient({ ...client, endpoint: state.aws.dynamodb });
  return {
    kind: 'local',
    label: `local jama-sync (pid ${state.pid}, ${state.jama.simulator ? 'Jama simulator' : state.jama.url})`,
    sqs,
    dynamodb,
    tables: state.tables,
    queues: state.queues,
    environments: state.environments.map((e) => e.name),
    webhookUrl: state.webhook.url,
    ...through,
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

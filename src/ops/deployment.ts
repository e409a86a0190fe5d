import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ReconcileSummary } from '../core/reconcile/start';
import type { JamaStats } from '../local/jama-meter';

/** What `jama-sync reconcile` asks for: the reconcile function's request. */
export interface ReconcileRequestInput {
  mode: 'incremental' | 'full';
  projects?: number[];
  env?: string;
}

/** Counters only the local process keeps (in AWS they are on the CloudWatch dashboard). */
export interface LocalCounters {
  /** Calls, 429s and the busiest second per environment, counted in the Jama clients (src/local/jama-meter.ts). */
  jama: JamaStats;
  webhook: { events: number; requests: number };
  reconcile: { runs: number; running: number; next: { incremental?: number; full?: number } };
}

export interface ExistenceCheck {
  env: string;
  projects?: number[];
  items?: number[];
}

export interface ExistenceResult {
  missingProjects: number[];
  /** Projects the API user can see, when projects were asked about. */
  visibleProjects: number[];
  missingItems: number[];
  /** Items not asked about (each costs a Jama call: only the first few are checked). */
  uncheckedItems: number[];
}

/**
 * A running jama-sync an operator command works on: the local process (`.jama-sync/local.json`)
 * or a deployed stack (its CloudFormation outputs). Commands see only this.
 */
export interface Deployment {
  kind: 'local' | 'stack';
  /** e.g. `local jama-sync (pid 4242)` or `stack JamaSync in eu-west-1`. */
  label: string;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  tables: { state: string; mirror?: string };
  queues: { jobs: string; reconcile: string; deadLetter: string };
  /** Jama environment names; the first is the default. */
  environments: string[];
  webhookUrl?: string;
  dashboardUrl?: string;
  /** Starts a reconciliation: through the local process's ops endpoint, or by invoking the reconcile function. */
  reconcile(request: ReconcileRequestInput): Promise<ReconcileSummary>;
  /**
   * Asks Jama whether projects and items exist, where this machine can (the local process holds
   * Jama credentials; a stack's are in its secrets): absent when it cannot.
   */
  check?(request: ExistenceCheck): Promise<ExistenceResult>;
  /** The local process's counters; absent for a stack. */
  counters?(): Promise<LocalCounters>;
  close(): void;
}

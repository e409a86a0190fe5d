import type { JobInput } from '../jobs';

/** The port for putting jobs on the sync queue (SQS in AWS and locally). */
export interface JobQueue {
  /** Durably enqueues jobs; rejects unless every one was accepted. `delaySeconds` ≤ 900. */
  send(jobs: JobInput[], options?: { delaySeconds?: number }): Promise<void>;
}

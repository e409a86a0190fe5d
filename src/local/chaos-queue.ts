import type { JobQueue } from '../core/ports/job-queue';

/**
 * A queue that sends every scan job twice, as two messages: what SQS's at-least-once delivery may
 * do to any message. The run cursor must make the copy stop without a Jama call.
 */
export function duplicatingScans(queue: JobQueue): JobQueue {
  return {
    async send(jobs, options) {
      const scans = jobs.filter((job) => job.kind === 'scan');
      await queue.send(jobs, options);
      if (scans.length > 0) await queue.send(scans, options);
    },
  };
}

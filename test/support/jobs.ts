import type { ScanJob } from '../../src/core/jobs';

/** A scan job of project 20 in `prod`, first slice, first page; `over` replaces any field. */
export const scanJob = (over: Partial<ScanJob> = {}): ScanJob => ({
  v: 1,
  env: 'prod',
  kind: 'scan',
  projectId: 20,
  mode: 'full',
  runId: 'r1',
  from: 0,
  skip: 0,
  page: 0,
  slice: 0,
  token: 'start',
  ...over,
});

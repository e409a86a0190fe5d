import type { ScanJob } from '../../../src/core/jobs';
import {
  parseReconcileRequest,
  planProject,
  runIdFor,
  targetsOf,
  watermarkAfter,
} from '../../../src/core/reconcile/plan';
import { scanJob } from '../../support/jobs';

const NOW = Date.UTC(2026, 0, 1, 3, 15);
const MIN = 60_000;
const target = { env: 'prod', projectId: 20 };
const envs = [
  { name: 'prod', projects: [20, 21] },
  { name: 'test', projects: [30] },
];

describe('reconcile request', () => {
  it.each([
    ['an empty scheduled event', { 'detail-type': 'Scheduled Event', detail: {} }, { mode: 'incremental' }],
    ['an event detail', { source: 'aws.events', detail: { mode: 'full' } }, { mode: 'full' }],
    [
      'a constant input',
      { mode: 'full', env: 'prod', projects: [20] },
      { mode: 'full', env: 'prod', projects: [20] },
    ],
    ['no payload', undefined, { mode: 'incremental' }],
  ])('reads %s', (_name, event, expected) => {
    expect(parseReconcileRequest(event)).toEqual(expected);
  });

  it.each([
    ['an unknown mode', { mode: 'weekly' }, /mode/],
    ['a misspelt key', { mode: 'full', project: [20] }, /project/],
    ['a bad project id', { projects: [0] }, /projects\.0/],
  ])('rejects %s with a JOB_INVALID error naming it', (_name, event, why) => {
    expect(() => parseReconcileRequest(event)).toThrow(expect.objectContaining({ code: 'JOB_INVALID' }));
    expect(() => parseReconcileRequest(event)).toThrow(why);
  });
});

describe('reconcile targets', () => {
  it('covers every configured project of every environment', () => {
    expect(targetsOf({ mode: 'incremental' }, envs)).toEqual([
      { env: 'prod', projectId: 20 },
      { env: 'prod', projectId: 21 },
      { env: 'test', projectId: 30 },
    ]);
  });

  it('narrows to one environment and the projects asked for', () => {
    expect(targetsOf({ mode: 'full', env: 'prod', projects: [21, 99, 21] }, envs)).toEqual([
      { env: 'prod', projectId: 21 },
      { env: 'prod', projectId: 99 },
    ]);
  });

  it.each([
    ['an unknown environment', { mode: 'full' as const, env: 'stage' }, /unknown environment `stage`/],
    ['projects without env', { mode: 'full' as const, projects: [20] }, /name the environment/],
  ])('rejects %s', (_name, request, why) => {
    expect(() => targetsOf(request, envs)).toThrow(why);
  });
});

describe('planProject', () => {
  it('starts a first incremental run from the beginning and reads no activities', () => {
    const plan = planProject({ target, mode: 'incremental', runId: 'r1', now: NOW, overlapMs: 2 * MIN });
    expect(plan).toEqual({
      scan: scanJob({ mode: 'incremental', startedAt: NOW }),
    });
  });

  it('starts an incremental run and its DELETE activities one overlap before the watermark', () => {
    const watermark = { at: NOW - 15 * MIN, runId: 'r0' };
    const plan = planProject({
      target,
      mode: 'incremental',
      runId: 'r1',
      now: NOW,
      overlapMs: 2 * MIN,
      watermark,
    });
    expect(plan.scan).toMatchObject({ from: NOW - 17 * MIN, runId: 'r1', startedAt: NOW });
    expect(plan.deletesSince).toBe(NOW - 17 * MIN);
  });

  it('never starts before the epoch', () => {
    const plan = planProject({
      target,
      mode: 'incremental',
      runId: 'r1',
      now: NOW,
      overlapMs: 2 * MIN,
      watermark: { at: MIN, runId: 'r0' },
    });
    expect(plan.scan.from).toBe(0);
  });

  it('starts a full run from the beginning whatever the watermark, under its own run id', () => {
    const plan = planProject({
      target,
      mode: 'full',
      runId: 'full-1',
      now: NOW,
      overlapMs: 2 * MIN,
      watermark: { at: NOW - MIN, runId: 'r0' },
    });
    expect(plan).toEqual({ scan: expect.objectContaining({ mode: 'full', runId: 'full-1', from: 0 }) });
  });
});

describe('watermarkAfter', () => {
  const job = (startedAt?: number) =>
    ({
      v: 1,
      env: 'prod',
      kind: 'scan',
      projectId: 20,
      mode: 'incremental',
      runId: 'r',
      from: 0,
      skip: 0,
      page: 0,
      ...(startedAt ? { startedAt } : {}),
    }) as ScanJob;

  it.each([
    ['the newest change seen, when it is before the start', NOW - MIN, NOW, NOW - MIN],
    ['the run start, when changes made during the run were seen', NOW + 5 * MIN, NOW, NOW],
    ['the newest change, for a job without a start', NOW + 5 * MIN, undefined, NOW + 5 * MIN],
    ['nothing, when the run saw nothing', undefined, NOW, undefined],
  ])('is %s', (_name, newest, startedAt, expected) => {
    expect(watermarkAfter(job(startedAt), newest)).toBe(expected);
  });
});

describe('runIdFor', () => {
  it('names the mode and start time, then the nonce', () => {
    expect(runIdFor('full', NOW, 'ab12cd34')).toBe('full-20260101T031500Z-ab12cd34');
  });
});

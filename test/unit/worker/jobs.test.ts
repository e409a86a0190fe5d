import { parseJob } from '../../../src/core/jobs';
import { classify } from '../../../src/core/worker/classify';

describe('jobs', () => {
  it.each([
    ['pull', { v: 1, env: 'prod', kind: 'pull', itemId: 7, documentKey: 'P-REQ-7' }],
    [
      'push',
      {
        v: 1,
        env: 'prod',
        kind: 'push',
        itemId: 7,
        ops: [{ op: 'replace', path: '/fields/name', value: 'x' }],
      },
    ],
    ['scan', { v: 1, env: 'prod', kind: 'scan', projectId: 20, mode: 'full', runId: 'r1', from: 0 }],
    ['delete', { v: 1, env: 'prod', kind: 'delete', itemId: 7 }],
  ])('accepts a %s job', (_kind, body) => {
    expect(parseJob(JSON.stringify(body))).toMatchObject({ ok: true, job: body });
  });

  it.each([
    ['not JSON', '{oops', /body is not JSON/],
    ['unknown kind', JSON.stringify({ v: 1, env: 'p', kind: 'explode', itemId: 1 }), /kind/],
    ['wrong version', JSON.stringify({ v: 2, env: 'p', kind: 'pull', itemId: 1 }), /v:/],
    ['negative id', JSON.stringify({ v: 1, env: 'p', kind: 'pull', itemId: -1 }), /itemId/],
    [
      'a push outside /fields',
      JSON.stringify({
        v: 1,
        env: 'p',
        kind: 'push',
        itemId: 1,
        ops: [{ op: 'replace', path: '/name', value: 1 }],
      }),
      /ops\.0/,
    ],
    [
      'a move op',
      JSON.stringify({
        v: 1,
        env: 'p',
        kind: 'push',
        itemId: 1,
        ops: [{ op: 'move', path: '/fields/a', from: '/fields/b' }],
      }),
      /ops\.0/,
    ],
  ])('rejects %s with a reason', (_name, body, reason) => {
    const parsed = parseJob(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('jobs that would overflow the stack', () => {
  it('refuses a value nested 10,000 deep as malformed, without recursing into it', () => {
    // Written as text: JSON.stringify itself overflows on it.
    const value = `${'['.repeat(10_000)}"x"${']'.repeat(10_000)}`;
    const body = `{"v":1,"env":"prod","kind":"push","itemId":1,"ops":[{"op":"replace","path":"/fields/name","value":${value}}]}`;
    expect(parseJob(body)).toEqual({ ok: false, reason: 'invalid job: nested deeper than 64 levels' });
  });

  it('turns a stack overflow or another bug on a job into a permanent failure with a reason', () => {
    const overflow = (): number => overflow() + 1;
    let error: unknown;
    try {
      overflow();
    } catch (e) {
      error = e;
    }
    expect(classify(error)).toEqual({
      type: 'rejected',
      reason: 'BUG: RangeError: Maximum call stack size exceeded',
    });
    const sdk = Object.assign(new TypeError('socket hang up'), { code: 'ECONNRESET' });
    expect(classify(sdk)).toMatchObject({ type: 'failed' });
  });
});

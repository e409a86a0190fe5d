import { clip, didYouMean } from '../../../src/cli/command';
import { HumanLogger, setLogSink } from '../../../src/local/human-logger';

describe('terminal output', () => {
  it('clips a live line to the terminal width so it never wraps', () => {
    const line = 'synced 572 items (+31 tombstones) · backlog 12 · DLQ 0 · 9.8/10 calls/s · 429s 0';
    expect(clip(line, 120)).toBe(line);
    expect(clip(line, 60)).toHaveLength(59);
    expect(clip(line, 60).endsWith('…')).toBe(true);
    expect(clip(line, undefined).length).toBeLessThanOrEqual(79);
  });

  it('suggests the closest command or option for a typo, and nothing for a stranger', () => {
    expect(didYouMean('--jsno', ['--json', '--jama-url', '--rate'])).toBe('--json');
    expect(didYouMean('stauts', ['local', 'status', 'dlq'])).toBe('status');
    expect(didYouMean('--frobnicate', ['--json', '--rate'])).toBeUndefined();
  });

  it('prints local Powertools logs as one human line each (JSON stays for AWS)', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    const logger = new HumanLogger({ serviceName: 'jama-sync-worker', logLevel: 'WARN' });
    logger.warn('record not synced', { messageId: 'm-1', outcome: 'failed', reason: 'Jama failed (503)' });
    logger.info('not shown below WARN');
    expect(lines).toEqual([
      'WARN   jama-sync-worker  record not synced  messageId=m-1  outcome=failed  reason=Jama failed (503)',
    ]);
  });
});

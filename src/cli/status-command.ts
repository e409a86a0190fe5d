import type { Status } from '../ops/status';
import { readStatus } from '../ops/status';
import { type Command, parseFlags } from './command';
import { duration, table } from './format';
import { TARGET_FLAGS, TARGET_HELP, withTarget } from './target';

const HELP = `Usage: jama-sync status [--local | --stack NAME [--region R]] [--json]

Shows how a running jama-sync is doing: each queue's depth (waiting, in flight, delayed) and the
oldest dead letter's age, each Jama environment's limiter (rate now, next free slot, a pause after a
429), Jama calls and 429s, webhook events and reconciliation runs, and the mirror's size (items and
relationships). With several environments, every figure is shown per environment.

Jama calls and 429s are counted per environment in the local process's Jama clients, as they are
made (the progress line, the summary and the local dashboard show the same figures); the busiest
second is the most calls sent in any one-second window. For a deployed stack they are on its
CloudWatch dashboard (the command prints its URL). The mirror's items are live items; tombstones
(deleted in Jama) are counted separately.

${TARGET_HELP}

Options:
  --json                 Print the status as JSON
  -h, --help             Show this help

Examples:
  npx jama-sync status
  npx jama-sync status --json
  npx jama-sync status --stack JamaSync --region eu-west-1
`;

const FLAGS = { ...TARGET_FLAGS, json: { type: 'boolean' } } as const;

function limiterLine(l: Status['limiters'][number], now: number): string {
  if (!l.used) return `  ${l.env}: no Jama call yet`;
  const parts = [
    `rate ${l.rate?.toFixed(2) ?? '?'}/s (ceiling ${l.ceiling?.toFixed(2) ?? '?'}/s)`,
    l.nextSlotInMs ? `next slot in ${l.nextSlotInMs} ms` : 'next slot free now',
    ...(l.holdMs ? [`paused ${duration(l.holdMs)} more after a 429`] : []),
    `last 429 ${l.lastThrottleAt === undefined ? 'never' : `${duration(now - l.lastThrottleAt)} ago`}`,
  ];
  return `  ${l.env}: ${parts.join(' · ')}`;
}

function quarantineLine(quarantined: NonNullable<Status['quarantined']>): string {
  const some = quarantined.filter((q) => q.count > 0);
  if (some.length === 0) return 'Quarantined      none';
  const each = some.map((q) => `${q.env}: ${q.count} items (last: ${q.lastReason ?? '?'})`);
  return `Quarantined      ${each.join(' · ')} — malformed or too large; see \`jama-sync dlq list\``;
}

/** The status as a few human lines. */
export function formatStatus(s: Status, now = Date.now()): string {
  const queues = table([
    ['queue', 'waiting', 'in flight', 'delayed', 'oldest'],
    ...s.queues.map((q) => [
      q.name,
      q.visible,
      q.inFlight,
      q.delayed,
      q.oldestAgeSeconds !== undefined
        ? duration(q.oldestAgeSeconds * 1000)
        : q.name === 'dead letters'
          ? '-'
          : 'n/a',
    ]),
  ]);
  const c = s.counters;
  const next = c?.reconcile.next;
  const lines = [
    `jama-sync status: ${s.target}`,
    '',
    queues,
    '',
    'Limiter',
    ...s.limiters.map((l) => limiterLine(l, now)),
    '',
    ...(c
      ? [
          `Jama calls       counted in this process's Jama clients (429s included; busiest = most in any 1 s)`,
          ...c.jama.environments.map(
            (e) =>
              `  ${e.env}: ${e.calls} calls · 429s ${e.throttled} · ${e.ratePerSecond.toFixed(1)} calls/s now (limit ${e.rateLimit}) · busiest second ${e.busiestSecond}`,
          ),
        ]
      : [
          `Jama calls       calls, 429s and queue ages: see the dashboard${s.dashboardUrl ? ` ${s.dashboardUrl}` : ''}`,
        ]),
    ...(s.webhookUrl
      ? [
          `Webhook          ${s.webhookUrl}/webhooks/<source>${c ? ` · ${c.webhook.events} events accepted` : ''}`,
        ]
      : []),
    ...(c
      ? [
          `Reconciliation   ${c.reconcile.runs} runs${c.reconcile.running ? `, ${c.reconcile.running} starting` : ''}` +
            `${next?.incremental ? ` · next incremental in ${duration(next.incremental - now)}` : ''}` +
            `${next?.full ? ` · next full in ${duration(next.full - now)}` : ''}`,
        ]
      : []),
    ...s.runs.map(
      (r) =>
        `Run              ${r.env}/${r.projectId} ${r.mode} ${r.runId}: ${r.pages} pages, ${r.items}${r.total === undefined ? '' : ` of ${r.total}`} items` +
        ` in ${r.slices} slice${r.slices === 1 ? '' : 's'} · ${r.itemsPerSecond.toFixed(0)} items/s` +
        `${r.etaMs === undefined ? '' : ` · ${duration(r.etaMs)} left`}`,
    ),
    quarantineLine(s.quarantined ?? []),
    s.mirror
      ? `Mirror           ${s.mirror.approximate ? '≈' : ''}${s.mirror.items} items${s.mirror.tombstones !== undefined ? ` (+${s.mirror.tombstones} tombstones)` : ''}${s.mirror.approximate ? ' (DynamoDB item count, refreshed every ~6 h)' : ''}`
      : 'Mirror           none (HTTP forward only)',
    ...(s.mirror?.environments && s.mirror.environments.length > 1
      ? s.mirror.environments.map(
          (e) =>
            `  ${e.env}: ${e.items} items (+${e.tombstones} tombstones) · ${e.relationships} links (+${e.relationshipTombstones} tombstones)`,
        )
      : []),
    ...(s.mirror?.relationships !== undefined
      ? [
          `Relationships    ${s.mirror.approximate ? '≈' : ''}${s.mirror.relationships} links${s.mirror.relationshipTombstones !== undefined ? ` (+${s.mirror.relationshipTombstones} tombstones)` : ''}`,
        ]
      : []),
  ];
  return lines.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Queues, dead letters, limiter, Jama calls and mirror of a local or deployed jama-sync',
  help: HELP,
  async run(argv, io) {
    const { values } = parseFlags(argv, FLAGS, 'status');
    const status = await withTarget(values, readStatus);
    io.out(values.json ? JSON.stringify(status) : formatStatus(status));
    return 0;
  },
};

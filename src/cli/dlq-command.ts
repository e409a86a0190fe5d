import { UsageError } from '../core/errors';
import { listDeadLetters, redrive } from '../ops/dead-letters';
import { type CliIo, type Command, intFlag, parseFlags } from './command';
import { duration } from './format';
import { TARGET_FLAGS, TARGET_HELP, withTarget } from './target';

const HELP = `Usage: jama-sync dlq list [--max N] [--json] [target]
       jama-sync dlq redrive (--all | --id MESSAGE_ID,…) [target]

Dead letters are jobs that failed for real (Jama 5xx, network, timeouts, sink errors) JAMA_SYNC_MAX_FAILURES
times, or were malformed. Throttling never dead-letters a job.

  list     Shows each dead letter: message id, age, the job (kind, environment, item or project,
           failures) and why it was dead-lettered (its jama-sync-reason attribute). The messages
           stay in the queue.
  redrive  Moves dead letters back for fresh attempts — scan pages to the reconcile queue, other
           jobs to the jobs queue — without the failure count they carried. Malformed ones stay.
           Fix the cause first (see \`dlq list\`), or they will come back.

Options:
  --max N                list: show at most N (default 100)
  --json                 list: one JSON object per dead letter and line
  --all                  redrive: every dead letter
  --id A,B               redrive: only these message ids (from \`dlq list\`)
  -h, --help             Show this help

${TARGET_HELP}

Examples:
  npx jama-sync dlq list
  npx jama-sync dlq redrive --all
  npx jama-sync dlq redrive --id 7d1c2d1e-…,0b9f… --stack JamaSync --region eu-west-1
`;

const FLAGS = {
  ...TARGET_FLAGS,
  max: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  id: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

async function list(values: Values, io: CliIo): Promise<number> {
  const max = intFlag('max', values.max, 100, 1);
  const letters = await withTarget(values, (d) => listDeadLetters(d, max));
  if (values.json) {
    for (const { job: _job, ...letter } of letters) io.out(JSON.stringify(letter));
    return 0;
  }
  if (letters.length === 0) {
    io.out('No dead letters.');
    return 0;
  }
  const now = Date.now();
  for (const l of letters) {
    io.out(
      `${l.messageId}  ${l.sentAt ? `${duration(now - l.sentAt)} old` : ''}\n  ${l.summary}\n  reason: ${l.reason}`,
    );
  }
  io.out(
    `\n${letters.length} dead letter(s)${letters.length === max ? ` (showing the first ${max}; --max for more)` : ''}.`,
  );
  io.out('Fix the cause, then `jama-sync dlq redrive --all` (or `--id …`) for fresh attempts.');
  return 0;
}

async function redriveCommand(values: Values, io: CliIo): Promise<number> {
  const ids = values.id
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!values.all && !ids?.length)
    throw new UsageError('Say which dead letters: `--all` or `--id MESSAGE_ID,…`.');
  if (values.all && ids) throw new UsageError('Give either `--all` or `--id`, not both.');
  const r = await withTarget(values, (d) => redrive(d, ids ? { ids } : {}));
  const moved = r.toJobs + r.toReconcile;
  io.out(
    `Moved ${moved} message${moved === 1 ? '' : 's'} back with fresh attempts: ${r.toJobs} to the jobs queue, ${r.toReconcile} to the reconcile queue.`,
  );
  if (r.malformed.length)
    io.out(
      `Left ${r.malformed.length} malformed message(s) in the DLQ (they would fail again): ${r.malformed.join(', ')}.`,
    );
  if (r.missing.length) io.out(`Not in the DLQ: ${r.missing.join(', ')}.`);
  return r.missing.length ? 1 : 0;
}

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'List dead letters with their reasons, or redrive them',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const { values } = parseFlags(rest, FLAGS, 'dlq');
    if (sub === 'list') return list(values, io);
    if (sub === 'redrive') return redriveCommand(values, io);
    throw new UsageError(
      `Expected \`jama-sync dlq list\` or \`jama-sync dlq redrive\`${sub ? `, got \`${sub}\`` : ''}.`,
    );
  },
};

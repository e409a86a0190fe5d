import { UsageError } from '../core/errors';
import { enqueuePulls } from '../ops/enqueue';
import { type Command, idsFlag, parseFlags } from './command';
import { TARGET_FLAGS, TARGET_HELP, withTarget } from './target';

const HELP = `Usage: jama-sync enqueue (--id 4711,4712 | --document-key PROJ-REQ-12,…) [--env NAME] [target]

Queues a pull of each item on the jobs queue, as a webhook would: the worker reads the item from
Jama (through the limiter) and writes it to the sinks; an item Jama no longer has becomes a
tombstone. Document keys are looked up in the mirror (a pull names its item by id); a key the
mirror does not know is refused, so enqueue new items by id.

Options:
  --id 1,2               Jama item ids
  --document-key A,B     Document keys of items already in the mirror
  --env NAME             The Jama environment (default: the only one)
  -h, --help             Show this help

${TARGET_HELP}

Examples:
  npx jama-sync enqueue --id 4711
  npx jama-sync enqueue --document-key PROJ-REQ-12,PROJ-REQ-13
  npx jama-sync enqueue --id 4711,4712 --env prod --stack JamaSync --region eu-west-1
`;

const FLAGS = {
  ...TARGET_FLAGS,
  id: { type: 'string' },
  'document-key': { type: 'string' },
  env: { type: 'string' },
} as const;

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: 'Queue pulls of items by id or documentKey',
  help: HELP,
  async run(argv, io) {
    const { values } = parseFlags(argv, FLAGS, 'enqueue');
    const ids = idsFlag('id', values.id, 'item ids');
    const keys = values['document-key']
      ?.split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (!ids?.length && !keys?.length) {
      throw new UsageError('Say which items: `--id 4711,4712` or `--document-key PROJ-REQ-12`.');
    }
    const result = await withTarget(values, (d) =>
      enqueuePulls(d, {
        ...(values.env ? { env: values.env } : {}),
        ...(ids ? { ids } : {}),
        ...(keys ? { documentKeys: keys } : {}),
      }),
    );
    const n = result.itemIds.length;
    io.out(
      `Queued ${n} pull${n === 1 ? '' : 's'} (${result.env}): item${n === 1 ? '' : 's'} ${result.itemIds.join(', ')}.`,
    );
    if (result.unchecked.length)
      io.err(
        `Not checked with Jama from here: item ${result.unchecked.join(', ')} (an id Jama does not know becomes a tombstone).`,
      );
    return 0;
  },
};

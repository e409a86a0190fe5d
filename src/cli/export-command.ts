import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { relationshipPartition } from '../adapters/mirror-relationships';
import { UsageError } from '../core/errors';
import { pickEnvironment } from '../ops/enqueue';
import { mirrorPages } from '../ops/mirror';
import { type Command, choiceFlag, parseFlags } from './command';
import { TARGET_FLAGS, TARGET_HELP, withTarget } from './target';

const HELP = `Usage: jama-sync export [--kind items|relationships|all] [--out mirror.jsonl] [--env NAME] [--live] [target]

Writes the mirror, one row per line as JSON (JSONL). Item rows (kind absent): env, itemId,
documentKey, projectId, modifiedDate, deleted, the item as Jama returned it, and when it was
synced. Relationship rows ("kind": "relationship"): relationshipId, projectId, fromItem, toItem,
relationshipType, relationshipTypeName, suspect, deleted. Pages through each environment's
partitions of the mirror table, so it works on any size.

Options:
  --kind K               items (default), relationships, or all
  --out FILE             Write to FILE (default: standard output)
  --env NAME             Only this Jama environment (default: all)
  --live                 Leave out tombstones (rows of deleted items and relationships)
  -h, --help             Show this help

${TARGET_HELP}

Examples:
  npx jama-sync export --out mirror.jsonl
  npx jama-sync export --live | jq -r .documentKey
  npx jama-sync export --kind relationships --live | jq -c '[.fromItem, .relationshipTypeName, .toItem]'
  npx jama-sync export --stack JamaSync --env prod --out prod.jsonl
`;

const FLAGS = {
  ...TARGET_FLAGS,
  out: { type: 'string' },
  env: { type: 'string' },
  kind: { type: 'string' },
  live: { type: 'boolean' },
} as const;

async function write(stream: Writable, text: string) {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function openOut(path: string | undefined): Promise<Writable> {
  if (!path) return process.stdout;
  const file = await open(path, 'w').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`Cannot write \`${path}\` (${error.code ?? error.message}): pick another --out.`);
  });
  return file.createWriteStream();
}

async function finish(stream: Writable) {
  if (stream === process.stdout) return;
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export the mirror as JSON lines',
  help: HELP,
  async run(argv, io) {
    const { values } = parseFlags(argv, FLAGS, 'export');
    const kind = choiceFlag('kind', values.kind, ['items', 'relationships', 'all'] as const, 'items');
    const counts = await withTarget(values, async (d) => {
      const out = await openOut(values.out);
      const envs = values.env ? [pickEnvironment(d, values.env)] : d.environments;
      let rows = 0;
      let tombstones = 0;
      const live = values.live
        ? { FilterExpression: 'deleted = :f', ExpressionAttributeValues: { ':f': false } }
        : {};
      const partitions = envs.flatMap((env) => [
        ...(kind === 'relationships' ? [] : [{ env, partition: env }]),
        ...(kind === 'items' ? [] : [{ env, partition: relationshipPartition(env) }]),
      ]);
      for (const { env, partition } of partitions) {
        for await (const page of mirrorPages(d, partition, live)) {
          for (const row of page.items) {
            if (row.deleted) tombstones++;
            rows++;
            // Relationship rows are stored under `<env>#relationships`; export the environment itself.
            await write(out, `${JSON.stringify({ ...row, env })}\n`);
          }
        }
      }
      await finish(out);
      return { rows, tombstones };
    });
    io.err(
      `Exported ${counts.rows} rows (${counts.tombstones} tombstones)${values.out ? ` to ${values.out}` : ''}.`,
    );
    return 0;
  },
};

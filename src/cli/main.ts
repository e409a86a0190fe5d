import { isJamaSyncError } from '../core/errors';
import { type CliIo, type Command, didYouMean, processIo } from './command';
import { commands } from './commands';

function usage(all: readonly Command[]): string {
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'Usage: jama-sync <command> [options]',
    '',
    'Commands:',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show this help (`jama-sync help <command>` or `jama-sync <command> --help` for one command)',
    '  -v, --version  Print the version',
    '',
    'Run `jama-sync help <command>` for the options of one command.',
  ].join('\n');
}

function unknown(name: string, all: readonly Command[]): string {
  const guess = didYouMean(
    name,
    all.map((c) => c.name),
  );
  return `Unknown command \`${name}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}\n\n${usage(all)}`;
}

/**
 * Entry point of the `jama-sync` CLI. Returns the process exit code: 0 success, 1 failure, 2 usage.
 * User mistakes print a cause and a remedy, never a stack trace.
 */
export async function main(
  argv: string[],
  io: CliIo = processIo,
  all = commands,
  { version = 'unknown' } = {},
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`jama-sync ${version}`);
    return 0;
  }
  if (name === 'help' && rest[0] !== undefined) {
    const command = all.find((c) => c.name === rest[0]);
    if (!command) {
      io.err(unknown(rest[0], all));
      return 2;
    }
    io.out(command.help);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage(all));
    return name === undefined ? 2 : 0;
  }
  const command = all.find((c) => c.name === name);
  if (!command) {
    io.err(name.startsWith('-') ? `Unknown option \`${name}\`.\n\n${usage(all)}` : unknown(name, all));
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isJamaSyncError(error)) {
      io.err(`jama-sync ${name}: ${error.message}`);
      return error.code === 'USAGE' ? 2 : 1;
    }
    io.err(`jama-sync ${name}: unexpected error (a bug — please report it):`);
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}

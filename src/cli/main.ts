import { isJamaSyncError } from '../core/errors';
import { type CliIo, type Command, processIo } from './command';
import { commands } from './commands';

function usage(all: readonly Command[]): string {
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'Usage: jama-sync <command> [options]',
    '',
    'Commands:',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `jama-sync <command> --help` for the options of one command.',
  ].join('\n');
}

/**
 * Entry point of the `jama-sync` CLI. Returns the process exit code: 0 success, 1 failure, 2 usage.
 * User mistakes print a cause and a remedy, never a stack trace.
 */
export async function main(argv: string[], io: CliIo = processIo, all = commands): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage(all));
    return name === undefined ? 2 : 0;
  }
  const command = all.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command \`${name}\`.\n\n${usage(all)}`);
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

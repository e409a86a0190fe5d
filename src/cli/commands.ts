import type { Command } from './command';
import { localCommand } from './local-command';
import { simulatorCommand } from './simulator-command';

/** Every sub-command, in the order `--help` lists them. */
export const commands: readonly Command[] = [localCommand, simulatorCommand];

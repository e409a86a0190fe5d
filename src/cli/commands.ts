import type { Command } from './command';
import { dlqCommand } from './dlq-command';
import { enqueueCommand } from './enqueue-command';
import { exportCommand } from './export-command';
import { localCommand } from './local-command';
import { reconcileCommand } from './reconcile-command';
import { simulatorCommand } from './simulator-command';
import { statusCommand } from './status-command';

/** Every sub-command, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  localCommand,
  statusCommand,
  enqueueCommand,
  reconcileCommand,
  dlqCommand,
  exportCommand,
  simulatorCommand,
];

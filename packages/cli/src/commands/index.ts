import type { CommandModule } from '../run-cli.ts';

/** Every subcommand of the `recurrent` CLI, in help order. */
export const commands: CommandModule[] = [];

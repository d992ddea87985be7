import { RecurrentError } from '@recurrent/core';
import { Command, CommanderError } from 'commander';

/** A command module: adds its subcommand (with options, help and action) to the program. */
export type CommandModule = { register(program: Command): void };

/** Where the CLI writes; injectable so tests can capture output without spawning a process. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Thrown by actions for a usage error (bad flag value, missing input); exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Builds the `recurrent` program from command modules. Kept separate from `main.ts` so tests can run
 * commands in-process.
 */
export function buildProgram(modules: CommandModule[], io: CliIo): Command {
  const program = new Command('recurrent')
    .description('Recurrent neural networks on text: train, generate, classify, translate.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');
  for (const m of modules) m.register(program);
  // Subcommands inherit the overrides so their usage errors come back as CommanderError too.
  for (const c of program.commands)
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 2 usage error, 1 any other error. Errors are printed as one
 * line on stderr (no stack trace); set RECURRENT_DEBUG=1 to see the stack.
 */
export async function runCli(argv: string[], modules: CommandModule[], io: CliIo): Promise<number> {
  const program = buildProgram(modules, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander's exitOverride but exit 0.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0;
      return 2; // commander already printed its one-line message
    }
    if (process.env.RECURRENT_DEBUG && err instanceof Error) io.stderr(`${err.stack ?? err.message}\n`);
    if (err instanceof UsageError) {
      io.stderr(`recurrent: ${err.message}\n`);
      return 2;
    }
    if (err instanceof RecurrentError) {
      io.stderr(`recurrent: ${err.message}\n`);
      return 1;
    }
    const msg = err instanceof Error ? err.message : String(err);
    io.stderr(`recurrent: ${msg.split('\n')[0]}\n`);
    return 1;
  }
}

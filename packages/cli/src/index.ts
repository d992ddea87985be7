export { runCli, buildProgram, UsageError } from './run-cli.ts';
export type { CommandModule, CliIo } from './run-cli.ts';
export { commands } from './commands/index.ts';

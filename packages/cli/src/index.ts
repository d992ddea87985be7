export { runCli, buildProgram, UsageError } from './run-cli.ts';
export type { CommandModule, CliIo } from './run-cli.ts';
export { commands } from './commands/index.ts';
export { MOBY_DICK_HELD_OUT, mobyDickCorpus, loadLmCorpus } from './lm/lm-corpus.ts';
export type { LmCorpus } from './lm/lm-corpus.ts';

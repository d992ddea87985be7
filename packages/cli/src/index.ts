export { commands } from './commands/index.ts';
export type { LmCorpus } from './lm/lm-corpus.ts';
export { loadLmCorpus, MOBY_DICK_HELD_OUT, mobyDickCorpus } from './lm/lm-corpus.ts';
export type { CliIo, CommandModule } from './run-cli.ts';
export { buildProgram, runCli, UsageError } from './run-cli.ts';

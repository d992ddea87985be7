import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import { commandIo, intFlag, positiveNumberFlag } from '../lm/flags.ts';
import { loadModelFile } from '../lm/load-model.ts';
import type { CliIo } from '../run-cli.ts';
import { generateAction } from './generate.ts';
import { trainLmAction } from './train-lm.ts';

/** Parsed flags of `recurrent quickstart`. */
export interface QuickstartFlags {
  cache: string;
  seconds: number;
  retrain?: boolean;
  seed: number;
}

/**
 * The two-minute tour behind `pnpm start`: trains a small character LSTM on Moby-Dick for about 90 s (or
 * reuses the one it trained before, from the cache file) and prints a generated paragraph on stdout.
 */
export async function quickstartAction(flags: QuickstartFlags, io: CliIo): Promise<void> {
  let usable = false;
  if (!flags.retrain && existsSync(flags.cache)) {
    try {
      await loadModelFile(flags.cache);
      usable = true;
      io.stderr(`quickstart: using ${flags.cache} (delete it, or pass --retrain, to train again)\n`);
    } catch (e) {
      io.stderr(`quickstart: ${flags.cache} is unusable (${(e as Error).message}); training a new one\n`);
    }
  }
  if (!usable) {
    await mkdir(dirname(flags.cache), { recursive: true });
    io.stderr(`quickstart: training a character LSTM on Moby-Dick for ${flags.seconds} s\n`);
    const summary = await trainLmAction(
      {
        corpus: 'moby-dick',
        tokenizer: 'char',
        minutes: flags.seconds / 60,
        seed: flags.seed,
        out: flags.cache,
        checkpointEvery: 200,
        cell: 'lstm',
        // Small and fast with a high learning rate: in 90 s of CPU the number of updates matters most.
        hidden: 128,
        embedding: 32,
        layers: 1,
        dropout: 0,
        batch: 32,
        seqLen: 32,
        lr: 0.01,
        clip: 1,
        schedule: 'constant',
        validEvery: 1_000_000,
        curve: false,
        evaluate: false,
      },
      io.stderr,
    );
    io.stderr(`quickstart: ${summary.steps} steps; saved ${flags.cache}\n\n`);
  }
  await generateAction(
    {
      model: flags.cache,
      prompt: 'The whale',
      temperature: 0.6,
      topK: 0,
      topP: 0.95,
      seed: flags.seed,
      maxTokens: 600,
    },
    io,
  );
}

/** Adds `quickstart` to the program. */
export function register(program: Command): void {
  program
    .command('quickstart')
    .description(
      'Train a small character model on Moby-Dick for ~90 s (or reuse the cached one) and print a generated paragraph.',
    )
    .option('--cache <file>', 'where the trained model is kept', '.cache/quickstart.safetensors')
    .addOption(new Option('--seconds <s>', 'training time').argParser(positiveNumberFlag).default(90))
    .addOption(new Option('--seed <n>', 'seed of training and sampling').argParser(intFlag(0)).default(0))
    .option('--retrain', 'train again even if the cache holds a model')
    .action(async (flags: QuickstartFlags, cmd: Command) => {
      await quickstartAction(flags, commandIo(cmd));
    });
}

import { languageModelStepper } from '@recurrent/language-model';
import { generate } from '@recurrent/samplers';
import { type Command, Option } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { encodePrompt } from '../lm/encode-prompt.ts';
import { commandIo, intFlag, numberFlag } from '../lm/flags.ts';
import { loadModelFile } from '../lm/load-model.ts';
import type { CliIo } from '../run-cli.ts';

/** Parsed flags of `recurrent generate`. */
export interface GenerateFlags {
  model: string;
  prompt: string;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  maxTokens: number;
}

/**
 * Streams the prompt and its continuation to stdout. Text is written as soon as it is final: the
 * decoded text of all ids so far is compared with what was written, so tokenizers whose pieces change
 * the spacing of their neighbours (SentencePiece) print correctly too.
 */
export async function generateAction(flags: GenerateFlags, io: CliIo): Promise<void> {
  await useFastestBackend();
  const { model, tokenizer } = await loadModelFile(flags.model);
  const prompt = encodePrompt(tokenizer, flags.prompt);
  const { eos } = tokenizer.specials;
  const ids = Array.from(prompt);
  let written = tokenizer.decode(ids);
  io.stdout(written);
  const stream = generate(languageModelStepper(model), prompt, {
    temperature: flags.temperature,
    topK: flags.topK,
    topP: flags.topP,
    seed: flags.seed,
    maxTokens: flags.maxTokens,
    ...(eos !== undefined ? { eosId: eos } : {}),
  });
  for await (const id of stream) {
    ids.push(id);
    const text = tokenizer.decode(ids);
    if (text.startsWith(written)) {
      io.stdout(text.slice(written.length));
      written = text;
    }
  }
  io.stdout('\n');
}

/** Adds `generate` to the program. */
export function register(program: Command): void {
  program
    .command('generate')
    .description(
      'Generate text from a language model, streamed to stdout (the prompt, then its continuation).',
    )
    .requiredOption('--model <file>', 'a model file written by train-lm')
    .option('--prompt <text>', 'text to continue (default: start of text)', '')
    .addOption(
      new Option('--temperature <t>', 'sampling temperature; 0 = greedy')
        .argParser(numberFlag(0))
        .default(0.8),
    )
    .addOption(
      new Option('--top-k <k>', 'sample from the k most likely tokens; 0 = all')
        .argParser(intFlag(0))
        .default(0),
    )
    .addOption(
      new Option('--top-p <p>', 'nucleus sampling: smallest set with probability p; 1 = all')
        .argParser(numberFlag(0, 1))
        .default(1),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the sampler: same seed, same text').argParser(intFlag(0)).default(0),
    )
    .addOption(new Option('--max-tokens <n>', 'tokens to generate').argParser(intFlag(0)).default(500))
    .action(async (flags: GenerateFlags, cmd: Command) => {
      await generateAction(flags, commandIo(cmd));
    });
}

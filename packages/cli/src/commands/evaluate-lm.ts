import { loadTextFile } from '@recurrent/corpora';
import { evaluateText } from '@recurrent/language-model';
import type { Command } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo } from '../lm/flags.ts';
import { loadModelFile } from '../lm/load-model.ts';
import type { CliIo } from '../run-cli.ts';

/** Parsed flags of `recurrent evaluate-lm`. */
export interface EvaluateLmFlags {
  model: string;
  text: string;
  json?: boolean;
}

/** Prints bits per character and perplexity of the model on the text file. */
export async function evaluateLmAction(flags: EvaluateLmFlags, io: CliIo): Promise<void> {
  await useFastestBackend();
  const { model, tokenizer } = await loadModelFile(flags.model);
  const text = loadTextFile(flags.text).items[0]!;
  const m = evaluateText(model, tokenizer, text);
  io.stdout(
    flags.json
      ? `${JSON.stringify(m)}\n`
      : `bits/char ${m.bitsPerChar.toFixed(4)}  perplexity ${m.perplexity.toFixed(3)}  (${m.tokens} tokens, ${m.characters} characters)\n`,
  );
}

/** Adds `evaluate-lm` to the program. */
export function register(program: Command): void {
  program
    .command('evaluate-lm')
    .description('Evaluate a language model on a text file: bits per character and per-token perplexity.')
    .requiredOption('--model <file>', 'a model file written by train-lm')
    .requiredOption('--text <file>', 'UTF-8 text to evaluate on')
    .option('--json', 'print the metrics as JSON')
    .action(async (flags: EvaluateLmFlags, cmd: Command) => {
      await evaluateLmAction(flags, commandIo(cmd));
    });
}

/**
 * `recurrent classify --model M`: labels each input line (stdin by default) with the most probable class
 * and every class's probability, one output line per input line, in order.
 */
import { readFile } from 'node:fs/promises';
import { loadTextClassifier, type TextClassifier } from '@recurrent/classifiers';
import type { Command } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo, intFlag } from '../lm/flags.ts';
import type { CliIo } from '../run-cli.ts';

/** Parsed flags of `recurrent classify`. */
export interface ClassifyFlags {
  model: string;
  input: string;
  batch: number;
  json?: boolean;
}

async function readAll(input: string): Promise<string> {
  if (input !== '-') return readFile(input, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The output line of one text: TSV `label \t name=p name=p ... \t text`, or one JSON object. */
function formatLine(
  classifier: TextClassifier,
  text: string,
  probabilities: Float32Array,
  json: boolean,
): string {
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[best]!) best = k;
  const label = classifier.labels[best]!;
  if (json) {
    const probs = Object.fromEntries(
      classifier.labels.map((l, k) => [l, Number(probabilities[k]!.toFixed(6))]),
    );
    return JSON.stringify({ label, probabilities: probs, text });
  }
  const probs = classifier.labels.map((l, k) => `${l}=${probabilities[k]!.toFixed(4)}`).join(' ');
  return `${label}\t${probs}\t${text}`;
}

/** Classifies every line of the input and writes one line per input line to `io.stdout`. */
export async function classifyAction(flags: ClassifyFlags, io: CliIo): Promise<void> {
  await useFastestBackend();
  const { classifier } = await loadTextClassifier(flags.model);
  const text = (await readAll(flags.input)).replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  for (let s = 0; s < lines.length; s += flags.batch) {
    const chunk = lines.slice(s, s + flags.batch);
    const probs = classifier.predictProba(chunk, { batchSize: flags.batch });
    io.stdout(
      `${chunk.map((t, i) => formatLine(classifier, t, probs[i]!, flags.json === true)).join('\n')}\n`,
    );
  }
}

/** Adds `classify` to the program. */
export function register(program: Command): void {
  program
    .command('classify')
    .description(
      'Label each line of text with a trained classifier: "label<TAB>class=probability ...<TAB>text".',
    )
    .requiredOption('--model <file>', 'a classifier file (evaluate-sentiment --save-model)')
    .option('--input <file>', 'read lines from this file instead of stdin ("-")', '-')
    .option('--batch <n>', 'lines per forward pass', intFlag(1), 64)
    .option('--json', 'one JSON object per line: {"label", "probabilities", "text"}')
    .action(async (flags: ClassifyFlags, cmd: Command) => {
      await classifyAction(flags, commandIo(cmd));
    });
}

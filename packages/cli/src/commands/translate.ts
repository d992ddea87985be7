import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { attentionHeatmapSvg, hypothesisHeatmap, loadSeq2Seq, translate } from '@recurrent/seq2seq';
import { type Command, Option } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo, intFlag, numberFlag } from '../lm/flags.ts';
import { requireFile } from './train-seq2seq.ts';

/** Parsed flags of `recurrent translate`. */
export interface TranslateFlags {
  model: string;
  beam: number;
  lengthPenalty: number;
  maxLength: number;
  heatmap?: string;
}

/** Translates `lines` with the model; returns one output line per input line (and writes the heatmap). */
export function translateLines(flags: TranslateFlags, lines: readonly string[]): string[] {
  requireFile('--model', flags.model);
  const { model } = loadSeq2Seq(flags.model);
  const hyps = translate(model, lines, {
    beamSize: flags.beam,
    lengthPenalty: flags.lengthPenalty,
    maxLength: flags.maxLength,
    maxLengthRatio: 3,
  });
  if (flags.heatmap !== undefined && lines.length > 0 && hyps[0]!.tokens.length > 0) {
    writeFileSync(flags.heatmap, attentionHeatmapSvg(hypothesisHeatmap(model, lines[0]!, hyps[0]!)));
  }
  return hyps.map((h) => h.text);
}

/** Adds `translate` to the program. */
export function register(program: Command): void {
  program
    .command('translate')
    .description(
      'Translate (or transcribe) source lines from stdin with a seq2seq model; one output line per input line on stdout.',
    )
    .requiredOption('--model <file>', 'a model saved by train-seq2seq')
    .addOption(new Option('--beam <n>', 'beam size (1 = greedy)').argParser(intFlag(1)).default(5))
    .addOption(
      new Option('--length-penalty <a>', "alpha of Wu et al.'s length penalty")
        .argParser(numberFlag(0))
        .default(0.6),
    )
    .addOption(new Option('--max-length <n>', 'most output tokens').argParser(intFlag(1)).default(100))
    .option('--heatmap <file.svg>', "write the first line's attention heatmap as SVG")
    .action(async (flags: TranslateFlags, cmd: Command) => {
      const io = commandIo(cmd);
      requireFile('--model', flags.model);
      await useFastestBackend();
      const lines: string[] = [];
      const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of rl) lines.push(line);
      io.stdout(
        translateLines(flags, lines)
          .map((l) => `${l}\n`)
          .join(''),
      );
    });
}

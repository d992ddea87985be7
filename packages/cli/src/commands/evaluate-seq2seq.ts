import { loadPairFile } from '@recurrent/corpora';
import { evaluateSeq2Seq, groupPairs, loadSeq2Seq } from '@recurrent/seq2seq';
import { type Command, Option } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo, intFlag, numberFlag } from '../lm/flags.ts';
import { requireFile } from './train-seq2seq.ts';

/** Parsed flags of `recurrent evaluate-seq2seq`. */
export interface EvaluateSeq2SeqFlags {
  model: string;
  pairs: string;
  beam: number;
  lengthPenalty: number;
  json?: boolean;
}

/**
 * Scores the model on a `source<TAB>target` file (sources with several targets count each as a
 * reference): BLEU and chrF, and for G2P models the word and phoneme error rates.
 */
export function evaluateSeq2SeqAction(flags: EvaluateSeq2SeqFlags): Record<string, number | string> {
  requireFile('--model', flags.model);
  requireFile('--pairs', flags.pairs);
  const { model, info } = loadSeq2Seq(flags.model);
  const groups = groupPairs(loadPairFile(flags.pairs).items.map((p) => [p.source, p.target] as const));
  const s = evaluateSeq2Seq(model, groups, {
    beamSize: flags.beam,
    lengthPenalty: flags.lengthPenalty,
    maxLengthRatio: 3,
  });
  const out: Record<string, number | string> = {
    sources: s.sources,
    beam: flags.beam,
    bleu: s.bleu,
    chrf: s.chrf,
  };
  if (info.task === 'g2p') {
    out.wer = s.wer;
    out.per = s.per;
  }
  return out;
}

/** Adds `evaluate-seq2seq` to the program. */
export function register(program: Command): void {
  program
    .command('evaluate-seq2seq')
    .description('Score a seq2seq model on held-out pairs: BLEU and chrF, and for G2P models WER and PER.')
    .requiredOption('--model <file>', 'a model saved by train-seq2seq')
    .requiredOption('--pairs <file.tsv>', "held-out 'source<TAB>target' pairs")
    .addOption(new Option('--beam <n>', 'beam size (1 = greedy)').argParser(intFlag(1)).default(1))
    .addOption(
      new Option('--length-penalty <a>', "alpha of Wu et al.'s length penalty")
        .argParser(numberFlag(0))
        .default(0),
    )
    .option('--json', 'print the scores as JSON')
    .action(async (flags: EvaluateSeq2SeqFlags, cmd: Command) => {
      const io = commandIo(cmd);
      requireFile('--model', flags.model);
      await useFastestBackend();
      const r = evaluateSeq2SeqAction(flags);
      if (flags.json) io.stdout(`${JSON.stringify(r)}\n`);
      else {
        const f = (k: string) => (typeof r[k] === 'number' ? (r[k] as number).toFixed(2) : String(r[k]));
        const parts = [`BLEU ${f('bleu')}`, `chrF ${f('chrf')}`];
        if (r.wer !== undefined) parts.push(`WER ${f('wer')}%`, `PER ${f('per')}%`);
        io.stdout(`${parts.join('  ')}  (${r.sources} sources, beam ${r.beam})\n`);
      }
    });
}

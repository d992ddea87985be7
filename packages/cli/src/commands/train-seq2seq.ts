import { existsSync, writeFileSync } from 'node:fs';
import { DataError } from '@recurrent/core';
import { loadCmudict, loadEnFrPairs, loadPairFile, splitCorpus } from '@recurrent/corpora';
import {
  evaluateSeq2Seq,
  type GroupedPair,
  groupPairs,
  Seq2Seq,
  type Seq2SeqConfig,
  toExamples,
  trainSeq2Seq,
} from '@recurrent/seq2seq';
import {
  CharTokenizer,
  SentencePieceTokenizer,
  type Tokenizer,
  trainTokenizer,
  WordTokenizer,
} from '@recurrent/tokenizers';
import { type Command, Option } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo, intFlag, numberFlag, positiveNumberFlag } from '../lm/flags.ts';
import { UsageError } from '../run-cli.ts';

/** The task a pair source implies: G2P is scored by word/phoneme error rates, translation by BLEU. */
export type Seq2SeqTask = 'g2p' | 'translation';

/** Pairs loaded and split by group (a word's variants, a sentence's translations stay together). */
export interface Seq2SeqData {
  task: Seq2SeqTask;
  train: GroupedPair[];
  valid: GroupedPair[];
  test: GroupedPair[];
  /** Where the pairs came from (package@version or path). */
  source: string;
}

/**
 * Loads `cmudict` (G2P: lower-case letters -> ARPAbet without stress), `fr-corpus` (English ->
 * French from fr-corpus + nlp-corpus) or a `source<TAB>target` file, split 90/5/5 by group.
 */
export function loadSeq2SeqData(pairs: string, seed: number): Seq2SeqData {
  const split = { seed, valid: 0.05, test: 0.05 };
  if (pairs === 'cmudict') {
    const c = loadCmudict({ stress: false, alphabeticOnly: true });
    const s = splitCorpus(c, split);
    const group = (items: typeof c.items): GroupedPair[] =>
      items.map((p) => ({ source: p.word.toLowerCase(), targets: p.variants.map((v) => v.join(' ')) }));
    return {
      task: 'g2p',
      train: group(s.train),
      valid: group(s.valid),
      test: group(s.test),
      source: c.source,
    };
  }
  let corpus: Pick<ReturnType<typeof loadPairFile>, 'items' | 'groupKey' | 'source'>;
  if (pairs === 'fr-corpus') {
    const c = loadEnFrPairs();
    corpus = { items: c.items, source: c.source, groupKey: (p) => c.groupKey({ ...p, verified: true }) };
  } else if (existsSync(pairs)) corpus = loadPairFile(pairs);
  else
    throw new UsageError(
      `--pairs: expected a TSV file, 'cmudict' or 'fr-corpus', got "${pairs}" (no such file)`,
    );
  const s = splitCorpus(corpus, split);
  const group = (items: typeof corpus.items) => groupPairs(items.map((p) => [p.source, p.target] as const));
  return {
    task: 'translation',
    train: group(s.train),
    valid: group(s.valid),
    test: group(s.test),
    source: corpus.source,
  };
}

/** Tokenizers for a task: characters -> phoneme symbols for G2P, a BPE model per side for translation. */
export function taskTokenizers(
  task: Seq2SeqTask,
  train: readonly GroupedPair[],
  vocab: number,
): [Tokenizer, Tokenizer] {
  if (task === 'g2p') {
    return [
      CharTokenizer.train(train.map((g) => g.source)),
      WordTokenizer.train(
        train.flatMap((g) => g.targets),
        { splitter: 'regexp', pattern: '\\s+', gaps: true },
      ),
    ];
  }
  const bpe = (lines: string[]): Tokenizer =>
    SentencePieceTokenizer.fromSpec(
      trainTokenizer(lines, { vocabSize: vocab, modelType: 'bpe', padId: 3, hardVocabLimit: false }),
    );
  return [bpe(train.map((g) => g.source)), bpe(train.flatMap((g) => g.targets))];
}

/** Writes grouped pairs as `source<TAB>target` lines (one per target). */
export function writePairs(path: string, groups: readonly GroupedPair[]): void {
  writeFileSync(path, groups.flatMap((g) => g.targets.map((t) => `${g.source}\t${t}\n`)).join(''));
}

/** Parsed flags of `recurrent train-seq2seq`. */
export interface TrainSeq2SeqFlags {
  pairs: string;
  minutes?: number;
  steps?: number;
  out: string;
  seed: number;
  cell: 'lstm' | 'gru';
  attention: Seq2SeqConfig['attention'];
  hidden: number;
  embedding: number;
  batch: number;
  lr: number;
  vocab: number;
  validEvery: number;
  json?: boolean;
}

/** The action of `train-seq2seq`: returns the summary printed at the end. */
export async function trainSeq2SeqAction(
  flags: TrainSeq2SeqFlags,
  log: (s: string) => void,
): Promise<Record<string, unknown>> {
  const data = loadSeq2SeqData(flags.pairs, flags.seed);
  if (data.train.length === 0) throw new DataError(`--pairs ${flags.pairs}`, 'training pairs', 'none');
  const [sourceTokenizer, targetTokenizer] = taskTokenizers(data.task, data.train, flags.vocab);
  const model = new Seq2Seq({
    sourceTokenizer,
    targetTokenizer,
    seed: flags.seed,
    config: {
      cell: flags.cell,
      attention: flags.attention,
      sourceEmbedding: flags.embedding,
      targetEmbedding: flags.embedding,
      encoderHidden: flags.hidden,
      decoderHidden: 2 * flags.hidden,
    },
  });
  const testPath = `${flags.out}.test.tsv`;
  writePairs(testPath, data.test);
  const minutes = flags.steps === undefined && flags.minutes === undefined ? 10 : flags.minutes;
  const validSubset = data.valid.slice(0, 300);
  const metric =
    data.task === 'g2p' ? { name: 'valid_wer', minimize: true } : { name: 'valid_bleu', minimize: false };
  const result = await trainSeq2Seq(model, {
    train: toExamples(model, data.train, 200),
    valid: toExamples(model, validSubset, 200),
    batchSize: flags.batch,
    lr: flags.lr,
    ...(minutes !== undefined && { maxMillis: minutes * 60_000 }),
    ...(flags.steps !== undefined && { maxSteps: flags.steps }),
    validEvery: flags.validEvery,
    evaluate: () => {
      const s = evaluateSeq2Seq(model, validSubset, { maxLengthRatio: 2 });
      return { valid_bleu: s.bleu, valid_wer: s.wer };
    },
    metric,
    modelPath: flags.out,
    info: { task: data.task, data: data.source, test: testPath },
    seed: flags.seed,
    events: {
      step: (e) => {
        if (e.step % 50 === 0)
          log(`step ${e.step} loss ${e.loss.toFixed(3)} ${e.tokensPerSec.toFixed(0)} tok/s\n`);
      },
      validate: (e) => log(`validate step ${e.step}: ${JSON.stringify(e.metrics)}\n`),
    },
  });
  return {
    model: flags.out,
    task: data.task,
    steps: result.steps,
    minutes: result.elapsedMs / 60_000,
    stoppedBy: result.stoppedBy,
    best: result.best,
    test: testPath,
  };
}

/** Adds `train-seq2seq` to the program. */
export function register(program: Command): void {
  program
    .command('train-seq2seq')
    .description(
      'Train an attentional encoder-decoder on pairs and save it as one .safetensors file; the held-out ' +
        'test pairs go to <out>.test.tsv. Progress on stderr, the summary (or --json) on stdout.',
    )
    .requiredOption(
      '--pairs <file.tsv|cmudict|fr-corpus>',
      "a 'source<TAB>target' file, 'cmudict' (G2P) or 'fr-corpus' (en->fr)",
    )
    .addOption(
      new Option('--minutes <m>', 'stop after this many minutes (default 10 without --steps)').argParser(
        positiveNumberFlag,
      ),
    )
    .addOption(new Option('--steps <n>', 'stop after this many optimizer steps').argParser(intFlag(1)))
    .option('--out <file>', 'where to save the model', 'seq2seq.safetensors')
    .addOption(
      new Option('--seed <n>', 'seed of the split, weights and batches').argParser(intFlag(0)).default(0),
    )
    .addOption(new Option('--cell <cell>', 'recurrent cell').choices(['lstm', 'gru']).default('lstm'))
    .addOption(
      new Option('--attention <score>', 'attention score')
        .choices(['additive', 'general', 'dot', 'scaled_dot'])
        .default('general'),
    )
    .addOption(
      new Option('--hidden <n>', 'encoder hidden size per direction (decoder: twice)')
        .argParser(intFlag(1))
        .default(128),
    )
    .addOption(new Option('--embedding <n>', 'embedding width').argParser(intFlag(1)).default(64))
    .addOption(new Option('--batch <n>', 'pairs per batch').argParser(intFlag(1)).default(64))
    .addOption(new Option('--lr <x>', 'Adam learning rate').argParser(numberFlag(0)).default(0.002))
    .addOption(
      new Option('--vocab <n>', 'BPE vocabulary per language (translation)')
        .argParser(intFlag(8))
        .default(4000),
    )
    .addOption(
      new Option('--valid-every <n>', 'steps between validations').argParser(intFlag(1)).default(500),
    )
    .option('--json', 'print the summary as JSON')
    .action(async (flags: TrainSeq2SeqFlags, cmd: Command) => {
      const io = commandIo(cmd);
      await useFastestBackend();
      const summary = await trainSeq2SeqAction(flags, io.stderr);
      io.stdout(
        flags.json
          ? `${JSON.stringify(summary)}\n`
          : `${summary.model}: ${summary.steps} steps (${summary.task}, stopped by ${summary.stoppedBy}); test pairs in ${summary.test}\n`,
      );
    });
}

/** Checks a model path exists, as a usage error. */
export function requireFile(flag: string, path: string): void {
  if (!existsSync(path)) throw new UsageError(`${flag}: no such file "${path}"`);
}

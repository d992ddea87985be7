/**
 * `recurrent evaluate-sentiment`: trains and tests our recurrent classifier and natural's three
 * baselines (AFINN lexicon, naive Bayes, logistic regression) on the same split(s) in one run, prints
 * ONE comparison table (or one JSON line), and optionally writes a report folder and a trained model.
 */
import {
  AfinnBaseline,
  compareSystems,
  comparisonTable,
  concatVectors,
  type Fold,
  NaturalBayesBaseline,
  NaturalLogisticBaseline,
  RecurrentSystem,
  type SystemResult,
  saveTextClassifier,
  sentimentLexicon,
  standardizeVectors,
  stratifiedKFold,
  type TextClassificationSystem,
  type TrainTextClassifierOptions,
  trainTextClassifier,
  writeComparisonReport,
} from '@recurrent/classifiers';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { useFastestBackend } from '../lm/backend.ts';
import { commandIo, intFlag, numberFlag } from '../lm/flags.ts';
import type { CliIo } from '../run-cli.ts';
import { UsageError } from '../run-cli.ts';
import { type DatasetName, type EvaluationData, loadEvaluationData } from '../sentiment/evaluation-data.ts';
import { pretrainedVectors } from '../sentiment/pretrained-vectors.ts';

/** The baselines `--baselines` can name. */
const BASELINES = ['afinn', 'bayes', 'logistic'] as const;
type BaselineName = (typeof BASELINES)[number];

/** Parsed flags of `recurrent evaluate-sentiment`. */
export interface EvaluateSentimentFlags {
  dataset: DatasetName;
  train?: string;
  test?: string;
  folds?: number;
  holdout?: number;
  seed: number;
  baselines?: BaselineName[];
  epochs?: number;
  cell: 'lstm' | 'gru';
  pooling: 'last' | 'mean' | 'max' | 'attention';
  embedding: number;
  hidden: number;
  lr: number;
  batch: number;
  maxLength?: number;
  minFrequency: number;
  embeddingStd: number;
  lexiconScale: number;
  lexicon?: boolean;
  pretrain?: boolean;
  pretrainScale: number;
  ensemble?: number;
  ngrams?: boolean;
  ngramWeight: number;
  cacheDir: string | false;
  strict?: boolean;
  json?: boolean;
  report?: string;
  saveModel?: string;
}

/** The JSON line of `--json`: our classifier's scores at the top level, the baselines' below. */
export interface EvaluateSentimentSummary {
  dataset: string;
  evaluation: string;
  system: string;
  accuracy: number;
  macro_f1: number;
  roc_auc: number | null;
  accuracy_std: number;
  /** F1 of each class (pooled over folds). */
  f1: Record<string, number>;
  baselines: Record<
    string,
    { accuracy: number; macro_f1: number; roc_auc: number | null } | { skipped: string }
  >;
  best_baseline: { name: string; accuracy: number } | null;
  /** Our accuracy minus the best baseline's, in percentage points. */
  margin_points: number | null;
  seconds: number;
  report: string | null;
  model: string | null;
}

/**
 * Whether the lexicon, the pretrained vectors and the n-gram model apply, and how many recurrent models
 * the ensemble has: by default all of them and 3 for sentiment; none of them and 1 for spam, whose long
 * e-mails make every extra model expensive.
 */
function priorsFor(
  flags: EvaluateSentimentFlags,
  data: EvaluationData,
): { lexicon: boolean; pretrain: boolean; ngrams: boolean; ensemble: number } {
  const spam = data.name === 'spam-assassin' && flags.train === undefined;
  return {
    lexicon: flags.lexicon ?? !spam,
    pretrain: flags.pretrain ?? !spam,
    ngrams: flags.ngrams ?? !spam,
    ensemble: flags.ensemble ?? (spam ? 1 : 3),
  };
}

/**
 * The initial word vectors of our classifier: sentiment-lexicon polarities (times `--lexicon-scale`)
 * side by side with skip-gram vectors pretrained on unlabelled nlp-corpus sentences (standardised to
 * `--pretrain-scale`); null when both are off.
 */
export async function wordVectorsFor(
  flags: EvaluateSentimentFlags,
  data: EvaluationData,
  log: (line: string) => void,
): Promise<Map<string, Float32Array> | null> {
  const { lexicon, pretrain } = priorsFor(flags, data);
  const parts: Map<string, Float32Array>[] = [];
  if (lexicon) {
    const lex = sentimentLexicon({ minMagnitude: 0.3 });
    parts.push(new Map([...lex].map(([w, v]) => [w, v.map((x) => x * flags.lexiconScale)])));
  }
  if (pretrain) {
    const vectors = await pretrainedVectors({
      exclude: data.texts,
      cacheDir: flags.cacheDir === false ? null : flags.cacheDir,
      skipGram: { dim: 64, epochs: 3, minCount: 3, seed: flags.seed },
      log,
    });
    parts.push(standardizeVectors(vectors, flags.pretrainScale));
  }
  return parts.length === 0 ? null : concatVectors(...parts);
}

/** Our classifier's training options for the flags. */
export function recurrentOptions(
  flags: EvaluateSentimentFlags,
  data: EvaluationData,
  vectors: Map<string, Float32Array> | null,
): TrainTextClassifierOptions {
  const spam = data.name === 'spam-assassin' && flags.train === undefined;
  const { ngrams, ensemble, lexicon } = priorsFor(flags, data);
  return {
    epochs: flags.epochs ?? (spam ? 4 : 8),
    ensemble,
    // The lexicon prior also reaches the n-gram model, as lexicon-polarity features.
    ...(ngrams && { ngrams: { weight: flags.ngramWeight, lexicon } }),
    lr: flags.lr,
    batchSize: flags.batch,
    maxLength: flags.maxLength ?? (spam ? 200 : 256),
    model: {
      cell: flags.cell,
      pooling: flags.pooling,
      embeddingDim: flags.embedding,
      hiddenSize: flags.hidden,
    },
    tokenizerOptions: { minFrequency: flags.minFrequency },
    embeddingStd: flags.embeddingStd,
    // The priors fill the first embedding dimensions and stand out against small random ones; a prior
    // word unseen in training still starts (and, backed off to <unk> elsewhere, stays) informed.
    ...(vectors !== null && { wordVectors: { vectors, scale: 1 } }),
  };
}

function describeSplits(
  data: EvaluationData,
  flags: EvaluateSentimentFlags,
): { folds: Fold[]; evaluation: string } {
  const n = data.texts.length;
  if (data.trainCount !== undefined) {
    if (flags.folds !== undefined || flags.holdout !== undefined) {
      throw new UsageError('--test gives the split itself; leave out --folds and --holdout');
    }
    const train = Int32Array.from({ length: data.trainCount }, (_, i) => i);
    const test = Int32Array.from({ length: n - data.trainCount }, (_, i) => data.trainCount! + i);
    return {
      folds: [{ train, test }],
      evaluation: `train file (${train.length}) -> test file (${test.length})`,
    };
  }
  if (flags.folds !== undefined && flags.holdout !== undefined)
    throw new UsageError('use either --folds or --holdout, not both');
  const spam = data.name === 'spam-assassin';
  const holdout = flags.holdout ?? (flags.folds === undefined && spam ? 0.2 : undefined);
  if (holdout !== undefined) {
    // A stratified held-out split is one fold of a ⌈1/fraction⌉-fold split.
    const k = Math.max(2, Math.round(1 / holdout));
    const fold = stratifiedKFold(data.labels, { k, seed: flags.seed, groups: data.groups })[0]!;
    return {
      folds: [fold],
      evaluation: `stratified hold-out: ${fold.train.length} train, ${fold.test.length} test (seed ${flags.seed})`,
    };
  }
  const k = flags.folds ?? 10;
  return {
    folds: stratifiedKFold(data.labels, { k, seed: flags.seed, groups: data.groups }),
    evaluation: `stratified ${k}-fold cross-validation (seed ${flags.seed}; duplicate texts kept in one fold)`,
  };
}

function baselineSystems(names: readonly BaselineName[]): TextClassificationSystem[] {
  return names.map((b) =>
    b === 'afinn'
      ? new AfinnBaseline()
      : b === 'bayes'
        ? new NaturalBayesBaseline()
        : new NaturalLogisticBaseline(),
  );
}

/** Runs the comparison and returns the summary; progress lines go to `io.stderr`. */
export async function evaluateSentimentAction(
  flags: EvaluateSentimentFlags,
  io: CliIo,
): Promise<EvaluateSentimentSummary> {
  const started = performance.now();
  await useFastestBackend();
  const data = loadEvaluationData({
    dataset: flags.dataset,
    ...(flags.train !== undefined && { train: flags.train }),
    ...(flags.test !== undefined && { test: flags.test }),
    strict: flags.strict === true,
    onSkipped: (file, s) =>
      io.stderr(`warning: ${file} line ${s.line} skipped: ${s.reason} (${JSON.stringify(s.excerpt)})\n`),
  });
  const { folds, evaluation } = describeSplits(data, flags);
  const spam = data.name === 'spam-assassin' && flags.train === undefined;
  const vectors = await wordVectorsFor(flags, data, (line) => io.stderr(`${line}\n`));
  const options = recurrentOptions(flags, data, vectors);
  const { lexicon, pretrain } = priorsFor(flags, data);
  const priors = [
    lexicon && `AFINN/SentiCon/Pattern polarities x${flags.lexiconScale}`,
    pretrain && `skip-gram vectors from unlabelled nlp-corpus sentences (sd ${flags.pretrainScale})`,
  ].filter(Boolean);
  const ours = new RecurrentSystem(options, {
    description: `${new RecurrentSystem(options).description}; initial embeddings: ${
      priors.length > 0 ? `${priors.join(' + ')} in the leading dimensions, ` : ''
    }random N(0, ${flags.embeddingStd}^2) elsewhere`,
  });
  const baselines = baselineSystems(flags.baselines ?? (spam ? ['bayes', 'logistic'] : [...BASELINES]));
  io.stderr(`${data.name}: ${data.source}\n${evaluation}\n`);
  const results = await compareSystems({
    texts: data.texts,
    labels: data.labels,
    labelNames: data.labelNames,
    systems: [ours, ...baselines],
    folds,
    onProgress: (e) => {
      if (e.phase === 'done') {
        io.stderr(
          `fold ${e.fold + 1}/${e.folds}  ${e.system}: accuracy ${(100 * e.accuracy!).toFixed(2)}%  (${e.seconds!.toFixed(1)} s)\n`,
        );
      }
    },
  });
  const mine = results[0]!;
  const ran = results.slice(1).filter((r) => r.skipped === undefined);
  const best = ran.reduce<SystemResult | null>(
    (b, r) => (b === null || r.accuracy.mean > b.accuracy.mean ? r : b),
    null,
  );

  let modelPath: string | null = null;
  if (flags.saveModel !== undefined) {
    // The saved model learns from every training text (all of them under cross-validation).
    const trainIdx = data.trainCount ?? data.texts.length;
    const examples = data.texts
      .slice(0, trainIdx)
      .map((text, i) => ({ text, label: data.labelNames[data.labels[i]!]! }));
    io.stderr(`training the final model on ${examples.length} texts\n`);
    const { classifier } = await trainTextClassifier(examples, {
      ...options,
      labels: data.labelNames,
      seed: flags.seed,
    });
    await saveTextClassifier(flags.saveModel, classifier, {
      training: JSON.stringify({
        data: data.source,
        evaluation,
        accuracy: mine.accuracy.mean,
        seed: flags.seed,
      }),
    });
    modelPath = flags.saveModel;
  }

  const summary: EvaluateSentimentSummary = {
    dataset: data.name,
    evaluation,
    system: mine.name,
    accuracy: mine.accuracy.mean,
    macro_f1: mine.macroF1.mean,
    roc_auc: mine.rocAuc?.mean ?? null,
    accuracy_std: mine.accuracy.std,
    f1: Object.fromEntries(mine.pooled!.perClass.map((c) => [c.label, c.f1])),
    baselines: Object.fromEntries(
      results
        .slice(1)
        .map((r) => [
          r.name,
          r.skipped !== undefined
            ? { skipped: r.skipped }
            : { accuracy: r.accuracy.mean, macro_f1: r.macroF1.mean, roc_auc: r.rocAuc?.mean ?? null },
        ]),
    ),
    best_baseline: best === null ? null : { name: best.name, accuracy: best.accuracy.mean },
    margin_points: best === null ? null : 100 * (mine.accuracy.mean - best.accuracy.mean),
    seconds: (performance.now() - started) / 1000,
    report: flags.report ?? null,
    model: modelPath,
  };
  if (flags.report !== undefined) {
    await writeComparisonReport(flags.report, {
      title: `${data.name}: our recurrent classifier vs natural's baselines`,
      setup: [
        `data: ${data.source}`,
        `classes: ${data.labelNames.join(', ')}`,
        `evaluation: ${evaluation}`,
        `total time: ${summary.seconds.toFixed(0)} s`,
      ],
      labelNames: data.labelNames,
      results,
      notes: [
        `flags: ${JSON.stringify(flags)}`,
        best === null
          ? 'no baseline ran'
          : `${mine.name} vs the best baseline (${best.name}): ${summary.margin_points! >= 0 ? '+' : ''}${summary.margin_points!.toFixed(2)} accuracy points`,
      ],
    });
  }
  if (flags.json) {
    io.stdout(`${JSON.stringify(summary)}\n`);
  } else {
    io.stdout(`${data.name}: ${evaluation}\n\n${comparisonTable(results)}\n\n`);
    if (best !== null) {
      const m = summary.margin_points!;
      io.stdout(
        `${mine.name} vs best baseline (${best.name}): ${m >= 0 ? '+' : ''}${m.toFixed(2)} accuracy points\n`,
      );
    }
    if (flags.report !== undefined) io.stdout(`report: ${flags.report}\n`);
    if (modelPath !== null) io.stdout(`model: ${modelPath}\n`);
  }
  return summary;
}

function baselineList(value: string): BaselineName[] {
  if (value === 'none') return [];
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(BASELINES as readonly string[]).includes(n)) {
      throw new InvalidArgumentError(
        `expected a comma-separated list of ${BASELINES.join(', ')} (or none), got ${JSON.stringify(n)}`,
      );
    }
  }
  return names as BaselineName[];
}

/** Adds `evaluate-sentiment` to the program. */
export function register(program: Command): void {
  program
    .command('evaluate-sentiment')
    .description(
      "Train and test our recurrent classifier and natural's AFINN, Bayes and logistic-regression baselines on the same split(s); print one comparison table.",
    )
    .addOption(
      new Option(
        '--dataset <name>',
        'built-in data: uci (labelled sentences) or spam (SpamAssassin, headers stripped)',
      )
        .choices(['uci', 'spam'])
        .default('uci'),
    )
    .option('--train <file>', 'a "label<TAB>text" training file (any label names) instead of --dataset')
    .option(
      '--test <file>',
      'a "label<TAB>text" test file for --train (one split instead of cross-validation)',
    )
    .option(
      '--folds <k>',
      'k-fold stratified cross-validation (default 10; spam: a 20% hold-out)',
      intFlag(2),
    )
    .option(
      '--holdout <fraction>',
      'one stratified hold-out split of this fraction instead of folds',
      numberFlag(0.01, 0.5),
    )
    .option('--seed <n>', 'seed of the folds and of training', intFlag(0), 0)
    .option(
      '--baselines <list>',
      'comma-separated: afinn,bayes,logistic, or none (default all; spam: bayes,logistic)',
      baselineList,
    )
    .option('--epochs <n>', 'training epochs of our classifier (default 8; spam 4)', intFlag(1))
    .addOption(new Option('--cell <cell>', 'recurrent cell').choices(['lstm', 'gru']).default('gru'))
    .addOption(
      new Option('--pooling <mode>', 'pooling over time')
        .choices(['last', 'mean', 'max', 'attention'])
        .default('max'),
    )
    .option('--embedding <n>', 'embedding width', intFlag(1), 96)
    .option('--hidden <n>', 'hidden width of each direction', intFlag(1), 64)
    .option('--lr <x>', 'Adam learning rate', numberFlag(1e-6, 1), 2e-3)
    .option('--batch <n>', 'texts per batch', intFlag(1), 32)
    .option('--max-length <n>', 'cut texts to this many tokens (default 256; spam 200)', intFlag(1))
    .option('--min-frequency <n>', 'words seen fewer times in training become <unk>', intFlag(1), 2)
    .option(
      '--embedding-std <x>',
      'standard deviation of the random initial embeddings',
      numberFlag(0, 10),
      0.1,
    )
    .option(
      '--lexicon-scale <x>',
      'multiplier of the lexicon polarities (each in [-1, 1]) in the embeddings',
      numberFlag(0, 100),
      4,
    )
    .option(
      '--no-lexicon',
      'do not use sentiment-lexicon polarities (as initial word embeddings and as n-gram features; default: on, except spam)',
    )
    .option(
      '--no-pretrain',
      'do not start word embeddings from skip-gram vectors of unlabelled nlp-corpus text (default: on, except spam)',
    )
    .option(
      '--pretrain-scale <x>',
      'standard deviation of the pretrained vectors in the embeddings',
      numberFlag(0, 100),
      0.5,
    )
    .option(
      '--ensemble <n>',
      'recurrent models trained from different seeds, probabilities averaged (default 3; spam 1)',
      intFlag(1),
    )
    .option(
      '--no-ngrams',
      'leave out the naive-Bayes-weighted logistic regression over word and character n-grams that our classifier mixes in (default: on, except spam)',
    )
    .option(
      '--ngram-weight <x>',
      "the n-gram model's share of our classifier's probabilities",
      numberFlag(0, 1),
      0.5,
    )
    .option('--cache-dir <dir>', 'where pretrained vectors are cached', '.cache/recurrent')
    .option('--no-cache-dir', 'do not cache pretrained vectors')
    .option(
      '--strict',
      'reject a --train/--test file with malformed lines (default: skip them, with a warning naming each line)',
    )
    .option('--json', 'print one JSON line: {"accuracy", "macro_f1", ...}')
    .option(
      '--report <dir>',
      'write report.md, confusion-matrix and training-curve SVGs and results.json here',
    )
    .option(
      '--save-model <file>',
      'also train on all training texts and save the classifier (for `recurrent classify`)',
    )
    .action(async (flags: EvaluateSentimentFlags, cmd: Command) => {
      // commander sets `lexicon: true` for a --no-lexicon flag that was not given (likewise pretrain, ngrams);
      // only an explicit --no-... should override the per-dataset default.
      const given = { ...flags };
      for (const k of ['lexicon', 'pretrain', 'ngrams'] as const)
        if (cmd.getOptionValueSource(k) !== 'cli') delete given[k];
      await evaluateSentimentAction(given, commandIo(cmd));
    });
}

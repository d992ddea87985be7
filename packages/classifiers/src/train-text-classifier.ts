/**
 * Trains a {@link TextClassifier} from labelled texts: builds the label set and (unless given) a
 * lower-cased word tokenizer from the training texts, optionally starts embeddings from known word
 * vectors, then runs core's training loop (length-bucketed batches, {@link LazyAdam}, gradient clipping,
 * optional class weights, validation and early stopping) and averages the last epochs' weights; with
 * `ensemble` it trains several such models from different seeds, and with `ngrams` an n-gram model beside
 * them, whose probabilities the classifier averages.
 */
import {
  BucketBatcher,
  DataError,
  OptionError,
  padBatch,
  Rng,
  type TrainEvents,
  type TrainResult,
  train,
} from '@recurrent/core';
import {
  compareCodePoints,
  type Tokenizer,
  Vocab,
  type VocabOptions,
  WordTokenizer,
  type WordTokenizerOptions,
} from '@recurrent/tokenizers';
import { classificationReport } from './metrics/classification-report.ts';
import type { SequenceClassifierConfig } from './model/classifier-config.ts';
import { LazyAdam } from './model/lazy-adam.ts';
import { type NgramLogistic, type NgramLogisticOptions, trainNgramLogistic } from './model/ngram-logistic.ts';
import { SequenceClassifier } from './model/sequence-classifier.ts';
import { TextClassifier } from './text-classifier.ts';

/** A text with its class name. */
export interface LabelledExample {
  text: string;
  label: string;
}

/** Options of {@link trainTextClassifier}; every field has a default. */
export interface TrainTextClassifierOptions {
  /** Class names in id order. Default: the distinct training labels, sorted by code point. */
  labels?: readonly string[];
  /** A ready tokenizer. Default: a {@link WordTokenizer} trained on the training texts with `tokenizerOptions`. */
  tokenizer?: Tokenizer;
  /** Options of the default word tokenizer. Default `{ lowercase: true, splitter: 'treebank', minFrequency: 1 }`. */
  tokenizerOptions?: WordTokenizerOptions & VocabOptions;
  /** Architecture (sizes come from the tokenizer and labels). Defaults: see `classifierConfigDefaults`. */
  model?: Partial<Omit<SequenceClassifierConfig, 'vocabSize' | 'numClasses' | 'padId'>>;
  /**
   * Known vectors of words (a sentiment lexicon's polarities, pretrained embeddings): the first dimensions
   * of each such word's embedding start from its vector times `scale` (the rest stay random, and all
   * train). With the default tokenizer the words also join the vocabulary (`extendVocabulary`, default
   * true), so a word never seen in training still carries its prior; after training such a word takes
   * the trained `unk` embedding in its other dimensions. Default none.
   */
  wordVectors?: WordVectors;
  /**
   * Standard deviation of the random initial embeddings. Default 1 (PyTorch's N(0, 1)). Smaller values
   * let the `wordVectors` priors stand out against the random dimensions.
   */
  embeddingStd?: number;
  /** Texts are cut to their first this many tokens. Default 256. */
  maxLength?: number;
  /** Passes over the training set. Default 8. */
  epochs?: number;
  /**
   * Stochastic weight averaging (Izmailov et al. 2018): the final weights are the mean of the weights at
   * the end of each of the last `averageEpochs` epochs, which smooths out the epoch-to-epoch noise of a
   * small training set. Default 3; 1 keeps the last epoch's weights. Ignored with `validation.restoreBest`.
   */
  averageEpochs?: number;
  /** Examples per batch. Default 32. */
  batchSize?: number;
  /** Adam's learning rate (the embedding rows of words absent from a batch are left alone: {@link LazyAdam}). Default 2e-3. */
  lr?: number;
  /** Clip the global gradient norm to this. Default 5. */
  clipNorm?: number;
  /**
   * Per-class loss weights: `balanced` (n / (C · count of the class), scikit-learn's rule), or a weight per
   * label name (missing names weigh 1). Default: every example weighs 1.
   */
  classWeights?: 'balanced' | Readonly<Record<string, number>>;
  /**
   * Recurrent models to train, each from its own seed (member 0 from `seed`, member k from
   * {@link ensembleSeed}(seed, k)); the classifier averages their probabilities. Default 1.
   */
  ensemble?: number;
  /**
   * Also fit a naive-Bayes-weighted logistic regression over word and character n-grams of the training
   * texts ({@link trainNgramLogistic}; `{}` for its defaults) and mix its probabilities in with share
   * `weight` (default 0.5; see {@link TextClassifier.ngramWeight}). Default: none.
   */
  ngrams?: (NgramLogisticOptions & { weight?: number }) | false;
  /** Seed of the weights, the dropout masks and the batch order. Default 0. */
  seed?: number;
  /**
   * Held-out examples: accuracy and macro F1 on them are measured after every epoch (into the result's
   * `validations`); with `patience`, training stops after that many epochs without a better accuracy,
   * and with `restoreBest` the best epoch's weights are kept. Each recurrent model of an ensemble is
   * validated (and stopped) on its own.
   */
  validation?: { examples: readonly LabelledExample[]; patience?: number; restoreBest?: boolean };
  /** Progress callbacks of core's training loop (for each recurrent model of an ensemble in turn). */
  events?: TrainEvents;
  /** Stops training at the next step. */
  signal?: AbortSignal;
}

/** Per-word initial vectors; see {@link TrainTextClassifierOptions.wordVectors}. */
export interface WordVectors {
  /** Word (in the tokenizer's normalised form, e.g. lower-case) -> vector of at most `embeddingDim` numbers. */
  vectors: ReadonlyMap<string, ArrayLike<number>>;
  /** Multiplier of the vectors (default 1): embeddings start N(0, 1), so a prior in [−1, 1] may want 2. */
  scale?: number;
  /** Add the words to the default tokenizer's vocabulary (default true). */
  extendVocabulary?: boolean;
}

/** What {@link trainTextClassifier} returns. */
export interface TrainedTextClassifier {
  classifier: TextClassifier;
  /** Core's training result of the (first) recurrent model: per-step losses, validations, steps, time. */
  result: TrainResult;
  /** Mean training loss of each epoch of the (first) recurrent model (index 0 = epoch 1). */
  epochLosses: number[];
  /** The result and epoch losses of every recurrent model of the ensemble, member 0 first. */
  members: { result: TrainResult; epochLosses: number[] }[];
}

/**
 * The seed of ensemble member `k` of a classifier trained with `seed`: `seed` itself for member 0 (so a
 * one-model ensemble is the plain classifier), then steps of 2^32/φ (mod 2^32), which keep the members of
 * nearby seeds (the folds of a cross-validation use seed + fold) apart.
 */
export function ensembleSeed(seed: number, k: number): number {
  return k === 0 ? seed : (Math.trunc(seed) + Math.imul(k, 0x9e3779b9)) >>> 0;
}

interface EncodedExample {
  ids: Int32Array;
  label: number;
}

/**
 * Trains a classifier on `examples`.
 * @throws DataError when there are no examples, fewer than two classes, or a label outside `labels`;
 *   OptionError for invalid options.
 */
export async function trainTextClassifier(
  examples: readonly LabelledExample[],
  options: TrainTextClassifierOptions = {},
): Promise<TrainedTextClassifier> {
  if (examples.length === 0)
    throw new DataError('training examples', 'at least one labelled example', 'none');
  const labels = options.labels ? [...options.labels] : distinctLabels(examples);
  const present = new Set(examples.map((e) => e.label));
  if (present.size < 2) {
    throw new DataError(
      'training labels',
      'at least two classes',
      `only ${[...present].map((l) => JSON.stringify(l)).join(', ')} in ${examples.length} examples`,
    );
  }
  const epochs = options.epochs ?? 8;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new OptionError('epochs', 'an integer >= 1', String(epochs));
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new OptionError('batchSize', 'an integer >= 1', String(batchSize));
  const seed = options.seed ?? 0;
  const ensemble = options.ensemble ?? 1;
  if (!Number.isInteger(ensemble) || ensemble < 1 || ensemble > 64)
    throw new OptionError('ensemble', 'an integer in [1, 64]', String(ensemble));
  const std = options.embeddingStd ?? 1;
  if (!(std >= 0 && Number.isFinite(std)))
    throw new OptionError('embeddingStd', 'a finite number >= 0', String(std));
  const averageEpochs = options.averageEpochs ?? 3;
  if (!Number.isInteger(averageEpochs) || averageEpochs < 1) {
    throw new OptionError('averageEpochs', 'an integer >= 1', String(averageEpochs));
  }
  const ng = options.ngrams;
  if (ng !== undefined && ng !== false && (typeof ng !== 'object' || ng === null)) {
    throw new OptionError('ngrams', 'false or an options object ({} for the defaults)', String(ng));
  }
  const ngramOptions = ng === undefined || ng === false ? null : ng;
  const w = ngramOptions?.weight;
  if (w !== undefined && !(typeof w === 'number' && w >= 0 && w <= 1)) {
    throw new OptionError('ngrams weight', 'a number in [0, 1]', String(w));
  }
  const tokenizer = options.tokenizer ?? defaultTokenizer(examples, options);
  const maxLength = options.maxLength;
  const view = (model: SequenceClassifier): TextClassifier =>
    new TextClassifier({ model, tokenizer, labels, ...(maxLength !== undefined && { maxLength }) });
  const members: Member[] = [];
  for (let k = 0; k < ensemble; k++) {
    members.push(
      await trainMember(
        examples,
        labels,
        tokenizer,
        view,
        { ...options, seed: ensembleSeed(seed, k) },
        {
          std,
          averageEpochs,
          epochs,
          batchSize,
        },
      ),
    );
  }
  let ngrams: NgramLogistic | null = null;
  if (ngramOptions !== null) {
    const { weight: _w, ...fit } = ngramOptions;
    ngrams = trainNgramLogistic(
      examples.map((e) => e.text),
      examples.map((e) => labels.indexOf(e.label)),
      labels.length,
      fit,
    );
  }
  const classifier = new TextClassifier({
    model: members.map((m) => m.model),
    ngrams,
    ...(ngramOptions?.weight !== undefined && { ngramWeight: ngramOptions.weight }),
    tokenizer,
    labels,
    ...(maxLength !== undefined && { maxLength }),
  });
  const first = members[0]!;
  return {
    classifier,
    result: first.result,
    epochLosses: first.epochLosses,
    members: members.map((m) => ({ result: m.result, epochLosses: m.epochLosses })),
  };
}

interface Member {
  model: SequenceClassifier;
  result: TrainResult;
  epochLosses: number[];
}

/** Trains one recurrent model with `options.seed` (the caller's checks done). */
async function trainMember(
  examples: readonly LabelledExample[],
  labels: readonly string[],
  tokenizer: Tokenizer,
  view: (model: SequenceClassifier) => TextClassifier,
  options: TrainTextClassifierOptions & { seed: number },
  checked: { std: number; averageEpochs: number; epochs: number; batchSize: number },
): Promise<Member> {
  const { seed } = options;
  const { std, averageEpochs, epochs, batchSize } = checked;
  const rng = new Rng(seed);
  const model = new SequenceClassifier(
    {
      ...options.model,
      vocabSize: tokenizer.vocabSize,
      numClasses: labels.length,
      padId: tokenizer.specials.pad,
    },
    { rng },
  );
  if (std !== 1) {
    const w = model.embedding.weight.data;
    for (let i = 0; i < w.length; i++) w[i] = w[i]! * std;
  }
  const prior =
    options.wordVectors === undefined ? null : initWordVectors(model, tokenizer, options.wordVectors);
  const classifier = view(model);
  const encode = (e: LabelledExample, i: number, what: string): EncodedExample => {
    if (typeof e?.text !== 'string')
      throw new DataError(`${what} example ${i}`, '{ text: string, label: string }', typeof e?.text);
    const label = labels.indexOf(e.label);
    if (label < 0) {
      throw new DataError(
        `${what} example ${i} label`,
        `one of ${labels.map((l) => JSON.stringify(l)).join(', ')}`,
        JSON.stringify(e.label),
      );
    }
    return { ids: classifier.encode(e.text), label };
  };
  const data = examples.map((e, i) => encode(e, i, 'training'));
  const weights = classWeights(options.classWeights, labels, data);
  const batcher = new BucketBatcher(data, { batchSize, lengthOf: (e) => e.ids.length, seed });
  const optimizer = new LazyAdam(model.parameters(), { lr: options.lr ?? 2e-3 }, ['embedding.weight']);
  const pad = tokenizer.specials.pad;

  const val = options.validation;
  const valTexts = val?.examples.map((e) => e.text) ?? [];
  const valLabels = val?.examples.map((e, i) => encode(e, i, 'validation').label) ?? [];
  const swa =
    averageEpochs > 1 && !val?.restoreBest ? new WeightAverage(model, epochs - averageEpochs) : null;
  const perEpoch = batcher.batchesPerEpoch;
  const userEvents = options.events;
  const result = await train({
    model,
    optimizer,
    data: batcher,
    maxEpochs: epochs,
    clipNorm: options.clipNorm ?? 5,
    forward: (tape, batch) => {
      const padded = padBatch(
        batch.map((e) => e.ids),
        pad,
      );
      const targets = Int32Array.from(batch, (e) => e.label);
      return { loss: model.loss(tape, padded, targets, weights), tokens: batch.length };
    },
    ...(val !== undefined &&
      val.examples.length > 0 && {
        validation: {
          every: batcher.batchesPerEpoch,
          minimize: false,
          metric: 'accuracy',
          ...(val.patience !== undefined && { patience: val.patience }),
          ...(val.restoreBest !== undefined && { restoreBest: val.restoreBest }),
          run: () => {
            const pred = classifier.predict(valTexts).map((p) => p.id);
            const r = classificationReport(valLabels, pred, { numClasses: labels.length });
            return { accuracy: r.accuracy, macro_f1: r.macro.f1 };
          },
        },
      }),
    events: {
      ...userEvents,
      step: (e) => {
        userEvents?.step?.(e);
        if (e.step % perEpoch === 0) swa?.epochEnd(e.step / perEpoch);
      },
    },
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  model.train(false);
  swa?.apply();
  if (prior !== null) {
    const seen = new Uint8Array(tokenizer.vocabSize);
    for (const e of data) for (const id of e.ids) seen[id] = 1;
    backOffUnseen(model, tokenizer, prior, seen);
  }
  const epochLosses: number[] = [];
  for (let s = 0; s < result.losses.length; s += perEpoch) {
    const chunk = result.losses.slice(s, s + perEpoch);
    epochLosses.push(chunk.reduce((a, b) => a + b, 0) / chunk.length);
  }
  return { model, result, epochLosses };
}

/** Running mean of a model's weights over the ends of the epochs after `after`. */
class WeightAverage {
  private readonly sums: Float64Array[];
  private count = 0;

  constructor(
    private readonly model: SequenceClassifier,
    private readonly after: number,
  ) {
    this.sums = [...model.parameters()].map(([, p]) => new Float64Array(p.size));
  }

  /** Called after the last step of `epoch` (1-based). */
  epochEnd(epoch: number): void {
    if (epoch <= this.after) return;
    let i = 0;
    for (const [, p] of this.model.parameters()) {
      const s = this.sums[i++]!;
      const d = p.data;
      for (let j = 0; j < d.length; j++) s[j]! += d[j]!;
    }
    this.count++;
  }

  /** Writes the mean into the model (nothing if fewer than two epochs were averaged). */
  apply(): void {
    if (this.count < 2) return;
    let i = 0;
    for (const [, p] of this.model.parameters()) {
      const s = this.sums[i++]!;
      for (let j = 0; j < s.length; j++) p.data[j] = s[j]! / this.count;
    }
  }
}

/** A lower-cased treebank word tokenizer over the training texts (plus `wordVectors` words, if asked). */
function defaultTokenizer(
  examples: readonly LabelledExample[],
  options: TrainTextClassifierOptions,
): WordTokenizer {
  const opts = {
    lowercase: true,
    splitter: 'treebank' as const,
    minFrequency: 1,
    ...options.tokenizerOptions,
  };
  const trained = WordTokenizer.train(
    examples.map((e) => e.text),
    opts,
  );
  const wv = options.wordVectors;
  if (wv === undefined || wv.extendVocabulary === false) return trained;
  // Code-point order keeps the ids independent of the map's insertion order.
  const extra = [...wv.vectors.keys()].filter((w) => !trained.vocab.has(w)).sort(compareCodePoints);
  if (extra.length === 0) return trained;
  return new WordTokenizer(
    new Vocab([...trained.vocab.tokens, ...extra], trained.vocab.specials),
    trained.options,
  );
}

/** Writes `scale · vector` into the leading dimensions of each known word's embedding row. */
/** Writes the vectors into the embedding; returns the ids and vector lengths of the words it set. */
function initWordVectors(
  model: SequenceClassifier,
  tokenizer: Tokenizer,
  wv: WordVectors,
): Map<number, number> {
  const scale = wv.scale ?? 1;
  if (!Number.isFinite(scale)) throw new OptionError('wordVectors scale', 'a finite number', String(scale));
  const e = model.config.embeddingDim;
  const w = model.embedding.weight.data;
  const { pad, unk } = tokenizer.specials;
  const set = new Map<number, number>();
  for (const [word, vec] of wv.vectors) {
    if (vec.length > e) {
      throw new OptionError(
        `wordVectors vector of ${JSON.stringify(word)}`,
        `at most embeddingDim (${e}) numbers`,
        String(vec.length),
      );
    }
    const ids = tokenizer.encode(word);
    // Only a word that is exactly one known token has a row of its own.
    if (ids.length !== 1 || ids[0] === unk || ids[0] === pad) continue;
    const row = ids[0]! * e;
    for (let j = 0; j < vec.length; j++) w[row + j] = scale * vec[j]!;
    set.set(ids[0]!, vec.length);
  }
  return set;
}

/**
 * A word-vector word that never occurred in training received no gradient, so the rest of its embedding
 * is still random noise the encoder never saw. It backs off to what training made of unknown words:
 * the trained `unk` embedding, with the word's own prior kept in the leading dimensions.
 */
function backOffUnseen(
  model: SequenceClassifier,
  tokenizer: Tokenizer,
  prior: Map<number, number>,
  seen: Uint8Array,
): void {
  const e = model.config.embeddingDim;
  const w = model.embedding.weight.data;
  const unkRow = tokenizer.specials.unk * e;
  for (const [id, k] of prior) {
    if (seen[id]) continue;
    w.copyWithin(id * e + k, unkRow + k, unkRow + e);
  }
}

function distinctLabels(examples: readonly LabelledExample[]): string[] {
  const set = new Set<string>();
  examples.forEach((e, i) => {
    if (typeof e?.label !== 'string' || e.label === '') {
      throw new DataError(
        `training example ${i} label`,
        'a non-empty string',
        JSON.stringify(e?.label) ?? 'nothing',
      );
    }
    set.add(e.label);
  });
  // Code-point order, so ids do not depend on the order of the examples.
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function classWeights(
  spec: TrainTextClassifierOptions['classWeights'],
  labels: readonly string[],
  data: readonly EncodedExample[],
): Float64Array | undefined {
  if (spec === undefined) return undefined;
  const c = labels.length;
  if (spec === 'balanced') {
    const counts = new Float64Array(c);
    for (const e of data) counts[e.label]!++;
    // A class absent from training gets weight 0 instead of n/0.
    return counts.map((k) => (k === 0 ? 0 : data.length / (c * k)));
  }
  if (typeof spec !== 'object' || spec === null) {
    throw new OptionError('classWeights', "'balanced' or a weight per label", String(spec));
  }
  for (const k of Object.keys(spec)) {
    if (!labels.includes(k))
      throw new OptionError('classWeights', `label names among ${labels.join(', ')}`, JSON.stringify(k));
  }
  return Float64Array.from(labels, (l) => spec[l] ?? 1);
}

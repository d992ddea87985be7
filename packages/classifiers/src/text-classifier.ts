/**
 * A trained classifier ready for text: the tokenizer, the label names and the recurrent model(s), with
 * batched, length-sorted inference; optionally an ensemble of recurrent models and an n-gram model whose
 * probabilities are averaged with theirs. Saved and loaded as one file by `classifier-file.ts`.
 */
import { DataError, OptionError, padBatch, Tape } from '@recurrent/core';
import type { Tokenizer } from '@recurrent/tokenizers';
import type { NgramLogistic } from './model/ngram-logistic.ts';
import type { SequenceClassifier } from './model/sequence-classifier.ts';

/** Options of {@link TextClassifier.predictProba} and {@link TextClassifier.predict}. */
export interface PredictOptions {
  /** Texts per forward pass (default 64). Results do not depend on it beyond float rounding. */
  batchSize?: number;
}

/** One labelled prediction. */
export interface Prediction {
  /** The most probable class's name (the lower id on an exact tie). */
  label: string;
  /** Its class id. */
  id: number;
  /** Probability of every class, in class-id order `[C]`. */
  probabilities: Float32Array;
}

/** Parts of a {@link TextClassifier}. */
export interface TextClassifierParts {
  /**
   * The recurrent model, or several of one architecture (an ensemble, e.g. trained from different seeds):
   * their class probabilities are averaged.
   */
  model: SequenceClassifier | readonly SequenceClassifier[];
  /** A bag-of-n-grams model over the same classes, mixed into the probabilities. Default none. */
  ngrams?: NgramLogistic | null;
  /**
   * With `ngrams`: its share λ of the probabilities, `(1 − λ) · mean(recurrent) + λ · ngrams`, in [0, 1].
   * Default 0.5.
   */
  ngramWeight?: number;
  tokenizer: Tokenizer;
  /** Class names by id; as many as the model has classes. */
  labels: readonly string[];
  /** Texts are cut to their first this many tokens (default 256), bounding the cost of a long input. */
  maxLength?: number;
}

/** A sequence classifier (or an ensemble, optionally with an n-gram model) with its tokenizer and class names. */
export class TextClassifier {
  /** The recurrent models (at least one, all of one config); probabilities are their mean. */
  readonly models: readonly SequenceClassifier[];
  /** The n-gram model mixed in with weight {@link ngramWeight}, or null. */
  readonly ngrams: NgramLogistic | null;
  /** The n-gram model's share of the probabilities (0 without one). */
  readonly ngramWeight: number;
  readonly tokenizer: Tokenizer;
  /** Class names by id. */
  readonly labels: readonly string[];
  /** Longest token sequence fed to the model; longer texts are cut to their first `maxLength` tokens. */
  readonly maxLength: number;

  constructor(parts: TextClassifierParts) {
    const { tokenizer, labels } = parts;
    const models = Array.isArray(parts.model) ? [...parts.model] : [parts.model as SequenceClassifier];
    const model = models[0];
    if (model === undefined) throw new OptionError('TextClassifier model', 'at least one model', 'none');
    const config = JSON.stringify(model.config);
    models.forEach((m, k) => {
      if (JSON.stringify(m.config) !== config) {
        throw new OptionError(
          `TextClassifier model ${k}`,
          `the config of model 0 (${config})`,
          JSON.stringify(m.config),
        );
      }
    });
    const ngrams = parts.ngrams ?? null;
    if (ngrams !== null && ngrams.numClasses !== model.config.numClasses) {
      throw new OptionError(
        'TextClassifier ngrams',
        `${model.config.numClasses} classes (the recurrent model's)`,
        String(ngrams.numClasses),
      );
    }
    const ngramWeight = ngrams === null ? 0 : (parts.ngramWeight ?? 0.5);
    if (!(typeof ngramWeight === 'number' && ngramWeight >= 0 && ngramWeight <= 1)) {
      throw new OptionError('TextClassifier ngramWeight', 'a number in [0, 1]', String(ngramWeight));
    }
    const maxLength = parts.maxLength ?? 256;
    if (labels.length !== model.config.numClasses) {
      throw new OptionError(
        'TextClassifier labels',
        `${model.config.numClasses} names (the model's classes)`,
        String(labels.length),
      );
    }
    if (new Set(labels).size !== labels.length) {
      throw new OptionError('TextClassifier labels', 'distinct names', JSON.stringify(labels));
    }
    if (tokenizer.vocabSize !== model.config.vocabSize) {
      throw new OptionError(
        'TextClassifier tokenizer',
        `vocabSize ${model.config.vocabSize} (the model's)`,
        String(tokenizer.vocabSize),
      );
    }
    if (!Number.isInteger(maxLength) || maxLength < 1) {
      throw new OptionError('TextClassifier maxLength', 'an integer >= 1', String(maxLength));
    }
    this.models = models;
    this.ngrams = ngrams;
    this.ngramWeight = ngramWeight;
    this.tokenizer = tokenizer;
    this.labels = [...labels];
    this.maxLength = maxLength;
  }

  /** The first (or only) recurrent model. */
  get model(): SequenceClassifier {
    return this.models[0]!;
  }

  /** Number of classes C. */
  get numClasses(): number {
    return this.labels.length;
  }

  /** The class id of a label name; throws a DataError for an unknown one. */
  labelId(label: string): number {
    const i = this.labels.indexOf(label);
    if (i < 0)
      throw new DataError(
        'label',
        `one of ${this.labels.map((l) => JSON.stringify(l)).join(', ')}`,
        JSON.stringify(label),
      );
    return i;
  }

  /**
   * Token ids the model sees for `text`: the tokenizer's ids cut to `maxLength`; a text with no tokens
   * becomes the single `unk` id, because a recurrent layer needs at least one step.
   */
  encode(text: string): Int32Array {
    const ids = this.tokenizer.encode(text);
    if (ids.length === 0) return Int32Array.of(this.tokenizer.specials.unk);
    return ids.length > this.maxLength ? ids.slice(0, this.maxLength) : ids;
  }

  /**
   * Class probabilities of each text: one `[C]` row per text, in input order. Runs in eval mode. The mean
   * of the recurrent models' probabilities, mixed with the n-gram model's (when there is one) as
   * `(1 − ngramWeight) · mean + ngramWeight · ngrams`; the n-gram model reads the whole text.
   */
  predictProba(texts: readonly string[], options: PredictOptions = {}): Float32Array[] {
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new OptionError('predictProba batchSize', 'an integer >= 1', String(batchSize));
    }
    const encoded = texts.map((t, i) => {
      if (typeof t !== 'string') throw new DataError(`text ${i}`, 'a string', typeof t);
      return this.encode(t);
    });
    // Sorting by length keeps padding (wasted steps) low; results go back to input order.
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.length - encoded[b]!.length || a - b);
    const c = this.numClasses;
    const k = this.models.length;
    const sums = texts.map(() => new Float64Array(c));
    const training = this.models.map((m) => m.training);
    try {
      const tape = Tape.noGrad();
      for (const m of this.models) {
        m.train(false);
        for (let s = 0; s < order.length; s += batchSize) {
          const idx = order.slice(s, s + batchSize);
          const batch = padBatch(
            idx.map((i) => encoded[i]!),
            this.tokenizer.specials.pad,
          );
          const p = m.probabilities(tape, batch).data; // [B, C]
          idx.forEach((i, r) => {
            const sum = sums[i]!;
            for (let j = 0; j < c; j++) sum[j]! += p[r * c + j]!;
          });
        }
      }
    } finally {
      this.models.forEach((m, i) => {
        m.train(training[i]!);
      });
    }
    const lambda = this.ngramWeight;
    const ng = this.ngrams === null ? null : this.ngrams.probabilities(texts);
    return sums.map((sum, i) => {
      const q = ng?.[i];
      return Float32Array.from(sum, (v, j) =>
        q === undefined ? v / k : (1 - lambda) * (v / k) + lambda * q[j]!,
      );
    });
  }

  /** The most probable label of each text, with all class probabilities. */
  predict(texts: readonly string[], options: PredictOptions = {}): Prediction[] {
    return this.predictProba(texts, options).map((probabilities) => {
      let id = 0;
      for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[id]!) id = k;
      return { label: this.labels[id]!, id, probabilities };
    });
  }
}

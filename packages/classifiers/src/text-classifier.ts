/**
 * A trained classifier ready for text: the tokenizer, the label names and the model, with batched,
 * length-sorted inference. Saved and loaded as one file by `classifier-file.ts`.
 */
import { DataError, OptionError, padBatch, Tape } from '@recurrent/core';
import type { Tokenizer } from '@recurrent/tokenizers';
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
  model: SequenceClassifier;
  tokenizer: Tokenizer;
  /** Class names by id; as many as the model has classes. */
  labels: readonly string[];
  /** Texts are cut to their first this many tokens (default 256), bounding the cost of a long input. */
  maxLength?: number;
}

/** A sequence classifier with its tokenizer and class names. */
export class TextClassifier {
  readonly model: SequenceClassifier;
  readonly tokenizer: Tokenizer;
  /** Class names by id. */
  readonly labels: readonly string[];
  /** Longest token sequence fed to the model; longer texts are cut to their first `maxLength` tokens. */
  readonly maxLength: number;

  constructor(parts: TextClassifierParts) {
    const { model, tokenizer, labels } = parts;
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
    this.model = model;
    this.tokenizer = tokenizer;
    this.labels = [...labels];
    this.maxLength = maxLength;
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

  /** Class probabilities of each text: one `[C]` row per text, in input order. Runs in eval mode. */
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
    const out: Float32Array[] = new Array(texts.length);
    const c = this.numClasses;
    const wasTraining = this.model.training;
    this.model.train(false);
    try {
      const tape = Tape.noGrad();
      for (let s = 0; s < order.length; s += batchSize) {
        const idx = order.slice(s, s + batchSize);
        const batch = padBatch(
          idx.map((i) => encoded[i]!),
          this.tokenizer.specials.pad,
        );
        const p = this.model.probabilities(tape, batch).data; // [B, C]
        idx.forEach((i, r) => {
          out[i] = p.slice(r * c, (r + 1) * c);
        });
      }
    } finally {
      this.model.train(wasTraining);
    }
    return out;
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

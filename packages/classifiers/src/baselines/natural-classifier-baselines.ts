/// <reference path="./natural-modules.d.ts" />
/**
 * natural's two trainable text classifiers as comparison systems: `BayesClassifier` and
 * `LogisticRegressionClassifier`, each with natural's own features (lower-cased, stop words removed,
 * Porter-stemmed tokens; one binary feature per stem seen in training).
 *
 * Two speed-ups that leave every result unchanged:
 * - `textToFeatures` builds the same 0/1 vector from a Set of the text's stems instead of an `indexOf`
 *   scan per feature (natural's is O(features × tokens) per text);
 * - the logistic regression's optimiser is {@link ApparatusLogisticRegression}, apparatus's gradient
 *   descent on sparse rows (the dense original needs hours for one 10-fold run).
 *
 * Labels are handed to natural as `class:<id>`: apparatus keeps classes in a plain object, and an
 * integer-like key (a label such as `0` or `1`) would be reordered by JavaScript, which makes apparatus's
 * logistic regression pair a class's weights with another class's targets.
 */
import BayesClassifier from 'natural/lib/natural/classifiers/bayes_classifier.js';
import type Classifier from 'natural/lib/natural/classifiers/classifier.js';
import LogisticRegressionClassifier from 'natural/lib/natural/classifiers/logistic_regression_classifier.js';
import { ApparatusLogisticRegression } from './apparatus-logistic-regression.ts';
import type { FittedSystem, TextClassificationSystem, TrainingSplit } from './text-classification-system.ts';

/**
 * The feature names of a classifier in natural's (for-in) order, listed once instead of once per text:
 * e-mails give ~100,000 stems, and a for-in over that many keys per text dominated the run. Dropped
 * whenever a document is added.
 */
const featureKeys = new WeakMap<Classifier, string[]>();

function keysOf(c: Classifier): string[] {
  let keys = featureKeys.get(c);
  if (keys === undefined) {
    keys = [];
    for (const feature in c.features) keys.push(feature);
    featureKeys.set(c, keys);
  }
  return keys;
}

/** natural's `textToFeatures`, computed with a Set: the same vector, in the same (for-in) feature order. */
function fastTextToFeatures(this: Classifier, observation: string | string[]): number[] {
  const tokens =
    typeof observation === 'string' ? this.stemmer.tokenizeAndStem(observation, this.keepStops) : observation;
  const present = new Set(tokens);
  const keys = keysOf(this);
  const features = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) features[i] = present.has(keys[i]!) ? 1 : 0;
  return features;
}

class FastBayes extends BayesClassifier {
  override addDocument(text: string | string[], classification: string): void {
    super.addDocument(text, classification);
    featureKeys.delete(this);
  }

  override textToFeatures(observation: string | string[]): number[] {
    return fastTextToFeatures.call(this, observation);
  }
}

class FastLogistic extends LogisticRegressionClassifier {
  override addDocument(text: string | string[], classification: string): void {
    super.addDocument(text, classification);
    featureKeys.delete(this);
  }

  override textToFeatures(observation: string | string[]): number[] {
    return fastTextToFeatures.call(this, observation);
  }

  override train(): void {
    // natural's train() resets and calls Classifier.prototype.train with a fresh apparatus model; this
    // does the same with the sparse port.
    this.lastAdded = 0;
    this.classifier = new ApparatusLogisticRegression();
    const base = Object.getPrototypeOf(LogisticRegressionClassifier.prototype) as {
      train(this: Classifier): void;
    };
    base.train.call(this);
  }
}

function labelKey(id: number): string {
  return `class:${id}`;
}

async function fitNatural(model: Classifier, split: TrainingSplit): Promise<FittedSystem> {
  split.texts.forEach((t, i) => {
    model.addDocument(t, labelKey(split.labels[i]!));
  });
  model.train();
  const c = split.labelNames.length;
  const idOf = (label: string): number => Number(label.slice('class:'.length));
  return {
    predict: (texts) => {
      const ids = new Int32Array(texts.length);
      const scores = texts.map((t, i) => {
        // natural's classify() is the first of these (sorted, best first), so one call gives both.
        const ranked = model.getClassifications(t);
        ids[i] = idOf(ranked[0]!.label);
        const row = new Float64Array(c);
        for (const { label, value } of ranked) row[idOf(label)] = value;
        return row;
      });
      return { ids, scores };
    },
  };
}

/** natural's `BayesClassifier` (apparatus naive Bayes, smoothing 1) on natural's stem features. */
export class NaturalBayesBaseline implements TextClassificationSystem {
  readonly name = 'natural BayesClassifier';
  readonly description =
    'natural BayesClassifier(PorterStemmer, smoothing 1): binary stemmed-token features, stop words removed';

  supports(): boolean {
    return true;
  }

  fit(split: TrainingSplit): Promise<FittedSystem> {
    return fitNatural(new FastBayes(), split);
  }
}

/** natural's `LogisticRegressionClassifier` (one-vs-rest, apparatus's gradient descent) on natural's stem features. */
export class NaturalLogisticBaseline implements TextClassificationSystem {
  readonly name = 'natural LogisticRegressionClassifier';
  readonly description =
    "natural LogisticRegressionClassifier(PorterStemmer): one-vs-rest, apparatus's batch gradient descent (ported to sparse rows, same arithmetic)";

  supports(): boolean {
    return true;
  }

  fit(split: TrainingSplit): Promise<FittedSystem> {
    return fitNatural(new FastLogistic(), split);
  }
}

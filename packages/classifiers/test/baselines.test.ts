import { createRequire } from 'node:module';
import {
  AfinnBaseline,
  ApparatusLogisticRegression,
  compareSystems,
  NaturalBayesBaseline,
  NaturalLogisticBaseline,
  stratifiedKFold,
} from '@recurrent/classifiers';
import { DataError, Rng } from '@recurrent/core';
import { describe, expect, it } from 'vitest';

// The originals, for checking that the fast paths compute the same thing.
const require = createRequire(import.meta.url);
const lrPath = require.resolve('natural/lib/natural/classifiers/logistic_regression_classifier.js');
const NaturalLR = require(lrPath);
const NaturalBayes = require('natural/lib/natural/classifiers/bayes_classifier.js');
const ApparatusLR = createRequire(lrPath)('apparatus').LogisticRegressionClassifier;

const POSITIVE = ['great', 'loved', 'wonderful', 'excellent', 'enjoyed', 'fantastic', 'superb'];
const NEGATIVE = ['awful', 'hated', 'terrible', 'boring', 'worst', 'dreadful', 'poor'];
const NEUTRAL = [
  'the',
  'film',
  'food',
  'phone',
  'service',
  'plot',
  'battery',
  'really',
  'was',
  'this',
  'acting',
];

function reviews(n: number, seed: number): { texts: string[]; labels: Int32Array } {
  const rng = new Rng(seed);
  const texts: string[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const words = Array.from({ length: 3 + rng.int(5) }, () => NEUTRAL[rng.int(NEUTRAL.length)]!);
    const pool = y === 1 ? POSITIVE : NEGATIVE;
    words.splice(rng.int(words.length), 0, pool[rng.int(pool.length)]!);
    texts.push(words.join(' '));
    labels[i] = y;
  }
  return { texts, labels };
}

describe('ApparatusLogisticRegression (sparse port)', () => {
  it("reproduces apparatus's weights bit for bit", () => {
    const rng = new Rng(4);
    const port = new ApparatusLogisticRegression();
    const original = new ApparatusLR();
    const examples: { x: number[]; label: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const label = ['spam', 'ham', 'eggs'][i % 3]!;
      const x = Array.from({ length: 12 }, (_, j) =>
        rng.uniform() < (j % 3 === i % 3 ? 0.7 : 0.15) ? 1 : 0,
      );
      examples.push({ x, label });
    }
    for (const { x, label } of examples) {
      port.addExample(x, label);
      original.addExample(x, label);
    }
    port.train();
    original.train();
    expect(port.classifications).toEqual(original.classifications);
    const originalTheta = original.theta.map((t: { elements: number[] }) => t.elements);
    expect(port.theta.map((t) => Array.from(t))).toEqual(originalTheta);
    for (const { x } of examples) {
      expect(port.getClassifications(x)).toEqual(original.getClassifications(x));
    }
  });
});

describe("natural's classifiers as baselines", () => {
  const { texts, labels } = reviews(40, 1);
  const test = reviews(20, 2);
  const split = { texts, labels, labelNames: ['neg', 'pos'] };

  it("the logistic baseline predicts exactly what natural's LogisticRegressionClassifier predicts", async () => {
    const fitted = await new NaturalLogisticBaseline().fit(split);
    const original = new NaturalLR();
    texts.forEach((t, i) => {
      original.addDocument(t, `class:${labels[i]}`);
    });
    original.train();
    const { ids, scores } = fitted.predict(test.texts);
    test.texts.forEach((t, i) => {
      const ranked = original.getClassifications(t) as { label: string; value: number }[];
      expect(ids[i]).toBe(Number(ranked[0]!.label.slice(6)));
      for (const { label, value } of ranked) expect(scores[i]![Number(label.slice(6))]).toBe(value);
    });
  });

  it("the Bayes baseline predicts exactly what natural's BayesClassifier predicts", async () => {
    const fitted = await new NaturalBayesBaseline().fit(split);
    const original = new NaturalBayes();
    texts.forEach((t, i) => {
      original.addDocument(t, `class:${labels[i]}`);
    });
    original.train();
    const { ids } = fitted.predict(test.texts);
    test.texts.forEach((t, i) => {
      expect(ids[i]).toBe(Number((original.classify(t) as string).slice(6)));
    });
  });

  it('the AFINN baseline learns which class is positive from the training labels', async () => {
    const afinn = new AfinnBaseline();
    expect(afinn.score('a wonderful, excellent film')).toBeGreaterThan(0);
    expect(afinn.score('awful and boring')).toBeLessThan(0);
    // Label names that say nothing: class 0 holds the positive texts here.
    const flipped = { texts, labels: labels.map((y) => 1 - y), labelNames: ['x', 'y'] };
    const fitted = await afinn.fit(flipped);
    const { ids } = fitted.predict(['I loved it, wonderful', 'terrible, I hated it']);
    expect(Array.from(ids)).toEqual([0, 1]);
    expect(afinn.supports(3)).toBe(false);
    await expect(afinn.fit({ ...split, labelNames: ['a', 'b', 'c'] })).rejects.toThrow(DataError);
  });
});

describe('compareSystems', () => {
  it('runs every system on the same folds and pools the results', async () => {
    const { texts, labels } = reviews(60, 3);
    const folds = stratifiedKFold(labels, { k: 3, seed: 0 });
    const events: string[] = [];
    const results = await compareSystems({
      texts,
      labels,
      labelNames: ['neg', 'pos'],
      systems: [new AfinnBaseline(), new NaturalBayesBaseline()],
      folds,
      onProgress: (e) => events.push(`${e.phase}:${e.fold}`),
    });
    expect(results.map((r) => r.name)).toEqual([
      'natural AFINN SentimentAnalyzer',
      'natural BayesClassifier',
    ]);
    for (const r of results) {
      expect(r.folds).toHaveLength(3);
      expect(r.pooled!.total).toBe(60);
      expect(r.accuracy.mean).toBeCloseTo(r.folds.reduce((a, f) => a + f.accuracy, 0) / 3, 12);
      // Every review carries one unambiguous sentiment word.
      expect(r.accuracy.mean).toBeGreaterThan(0.9);
      expect(r.rocAuc!.mean).toBeGreaterThan(0.9);
    }
    expect(events).toHaveLength(12);
  });

  it('skips a system that cannot handle the number of classes', async () => {
    const texts = ['a', 'b', 'c', 'd', 'e', 'f'];
    const labels = Int32Array.of(0, 1, 2, 0, 1, 2);
    const [r] = await compareSystems({
      texts,
      labels,
      labelNames: ['x', 'y', 'z'],
      systems: [new AfinnBaseline()],
      folds: [{ train: Int32Array.of(0, 1, 2), test: Int32Array.of(3, 4, 5) }],
    });
    expect(r!.skipped).toMatch(/3 classes/);
    expect(r!.pooled).toBeNull();
  });
});

import { classificationReport, confusionMatrix, rocAuc, rocCurve } from '@recurrent/classifiers';
import { DataError, OptionError, Rng, ShapeError } from '@recurrent/core';
import { describe, expect, it } from 'vitest';

describe('confusionMatrix', () => {
  it('counts (true, predicted) pairs with rows true and columns predicted', () => {
    // By hand: true 0 -> predicted 0 and 1; true 1 -> 2 and 1; true 2 -> 2 twice.
    const m = confusionMatrix([0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [0, 0, 2],
    ]);
  });

  it('rejects ids out of range and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(DataError);
    expect(() => confusionMatrix([0, 1], [0, 1.5], 3)).toThrow(/yPred\[1\]/);
    expect(() => confusionMatrix([0, 1], [0], 3)).toThrow(ShapeError);
    expect(() => confusionMatrix([0], [0], 0)).toThrow(OptionError);
  });
});

describe('classificationReport', () => {
  it("matches scikit-learn's documented example (y_true [0,1,2,0,1,2], y_pred [0,2,1,0,0,1])", () => {
    // By hand: class 0 has TP 2, FP 1 (the 1 predicted as 0), FN 0 -> P 2/3, R 1, F1 0.8.
    // Classes 1 and 2 have no true positives -> P = R = F1 = 0.
    // sklearn's docs give precision macro 0.22, recall macro 0.33, f1 macro 0.267, f1 micro 0.33,
    // f1 weighted 0.267 for this example.
    const r = classificationReport([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { labels: ['a', 'b', 'c'] });
    expect(r.accuracy).toBeCloseTo(2 / 6, 12);
    expect(r.perClass[0]).toMatchObject({ label: 'a', support: 2 });
    expect(r.perClass[0]!.precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0]!.recall).toBe(1);
    expect(r.perClass[0]!.f1).toBeCloseTo(0.8, 12);
    for (const k of [1, 2])
      expect(r.perClass[k]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.macro.precision).toBeCloseTo(2 / 9, 12);
    expect(r.macro.recall).toBeCloseTo(1 / 3, 12);
    expect(r.macro.f1).toBeCloseTo(0.8 / 3, 12);
    expect(r.micro.precision).toBeCloseTo(1 / 3, 12);
    expect(r.micro.recall).toBeCloseTo(1 / 3, 12);
    expect(r.micro.f1).toBeCloseTo(1 / 3, 12);
    expect(r.weighted.f1).toBeCloseTo((2 * 0.8) / 6, 12);
    expect(r.total).toBe(6);
  });

  it('computes binary precision/recall/F1 from a hand-counted confusion matrix', () => {
    // y_true: 4 positives, 6 negatives; predicted: TP 3, FN 1, FP 2, TN 4.
    const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const yPred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
    const r = classificationReport(yTrue, yPred, { numClasses: 2 });
    expect(r.confusion).toEqual([
      [4, 2],
      [1, 3],
    ]);
    const pos = r.perClass[1]!;
    expect(pos.precision).toBeCloseTo(3 / 5, 12);
    expect(pos.recall).toBeCloseTo(3 / 4, 12);
    expect(pos.f1).toBeCloseTo((2 * 0.6 * 0.75) / 1.35, 12);
    const neg = r.perClass[0]!;
    expect(neg.precision).toBeCloseTo(4 / 5, 12);
    expect(neg.recall).toBeCloseTo(4 / 6, 12);
    expect(r.accuracy).toBeCloseTo(0.7, 12);
    expect(r.macro.f1).toBeCloseTo((pos.f1 + neg.f1) / 2, 12);
    expect(r.perClass.map((s) => s.label)).toEqual(['0', '1']);
  });

  it('gives 0 (not NaN) for a class that is never predicted or never present', () => {
    const r = classificationReport([0, 0, 1], [0, 0, 0], { numClasses: 3 });
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass[2]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(Number.isNaN(r.macro.f1)).toBe(false);
  });

  it('needs numClasses or labels, and they must agree', () => {
    expect(() => classificationReport([0], [0], {})).toThrow(OptionError);
    expect(() => classificationReport([0], [0], { numClasses: 3, labels: ['a', 'b'] })).toThrow(OptionError);
  });
});

/** The definition: P(score of a random positive > a random negative), ties counting 1/2. O(n²). */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  labels.forEach((yi, i) => {
    if (yi !== 1) return;
    labels.forEach((yj, j) => {
      if (yj !== 0) return;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('rocAuc', () => {
  it("matches scikit-learn's documented example", () => {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75 in sklearn's docs.
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('counts ties as one half (average ranks)', () => {
    // By hand: positives score 0.5 and 0.9, negatives 0.5 and 0.2: pairs 0.5/0.5 (tie), 0.5/0.2,
    // 0.9/0.5, 0.9/0.2 -> (0.5 + 1 + 1 + 1) / 4.
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    // All scores equal: no information, exactly 0.5.
    expect(rocAuc([0, 1, 1, 0, 1], [3, 3, 3, 3, 3])).toBe(0.5);
    // Perfect and perfectly inverted rankings.
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [4, 3, 2, 1])).toBe(0);
  });

  it('equals the pairwise definition on random data with many ties', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + rng.int(60);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.int(2)));
      const scores = Array.from({ length: n }, () => rng.int(6) / 5);
      expect(rocAuc(labels, scores)).toBeCloseTo(pairwiseAuc(labels, scores), 12);
    }
  });

  it('is undefined for a single class, and rejects bad labels', () => {
    expect(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(DataError);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/0 or 1/);
    expect(() => rocAuc([0, 1], [0.1])).toThrow(ShapeError);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(DataError);
  });

  it('rocCurve runs from (0,0) to (1,1) and its trapezoidal area is the AUC', () => {
    const labels = [0, 1, 0, 1, 1, 0, 0, 1];
    const scores = [0.1, 0.8, 0.4, 0.4, 0.9, 0.2, 0.7, 0.3];
    const c = rocCurve(labels, scores);
    expect(c.fpr[0]).toBe(0);
    expect(c.tpr[0]).toBe(0);
    expect(c.fpr.at(-1)).toBe(1);
    expect(c.tpr.at(-1)).toBe(1);
    let area = 0;
    for (let i = 1; i < c.fpr.length; i++)
      area += ((c.fpr[i]! - c.fpr[i - 1]!) * (c.tpr[i]! + c.tpr[i - 1]!)) / 2;
    expect(area).toBeCloseTo(rocAuc(labels, scores), 12);
    expect(area).toBeCloseTo(pairwiseAuc(labels, scores), 12);
  });
});

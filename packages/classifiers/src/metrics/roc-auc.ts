import { DataError, ShapeError } from '@recurrent/core';

/**
 * Area under the ROC curve of binary `labels` (1 positive, 0 negative) ranked by `scores` (higher means
 * more positive), by the Mann-Whitney statistic: with every score ranked 1..n and tied scores given the
 * average of their ranks, `AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ · n₋)` where R₊ is the rank sum of the
 * positives. This equals the probability that a random positive outscores a random negative, a tie
 * counting one half, and the trapezoidal area under the ROC curve (scikit-learn's `roc_auc_score`).
 *
 * @throws ShapeError for different lengths; DataError for a label other than 0/1, a NaN score, or when
 *   only one class is present (the AUC is then undefined).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length) {
    throw new ShapeError('rocAuc scores', `${labels.length} (one per label)`, String(scores.length));
  }
  const n = labels.length;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) throw new DataError(`rocAuc labels[${i}]`, '0 or 1', String(y));
    if (Number.isNaN(scores[i]!)) throw new DataError(`rocAuc scores[${i}]`, 'a number', 'NaN');
    pos += y;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) {
    throw new DataError('rocAuc labels', 'both classes present', `${pos} positive and ${neg} negative`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    // A run of tied scores [i, j) shares the average of the ranks i+1 .. j.
    let j = i + 1;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (labels[order[k]!] === 1) rankSumPos += avgRank;
    i = j;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Points of a ROC curve, for plotting. */
export interface RocCurve {
  /** False-positive rate at each threshold, rising from 0 to 1. */
  fpr: number[];
  /** True-positive rate at each threshold. */
  tpr: number[];
  /** Score thresholds (predict positive when score >= threshold); the first is +Infinity. */
  thresholds: number[];
}

/**
 * The ROC curve of binary `labels` ranked by `scores`: one point per distinct score (tied scores move
 * together, giving a diagonal segment), starting at (0, 0). Its trapezoidal area equals {@link rocAuc}.
 * Same errors as {@link rocAuc}.
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  rocAuc(labels, scores); // validates, and rejects a single class
  const n = labels.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i]!;
  const neg = n - pos;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Number.POSITIVE_INFINITY] };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    const s = scores[order[i]!]!;
    while (i < n && scores[order[i]!] === s) {
      if (labels[order[i]!] === 1) tp++;
      else fp++;
      i++;
    }
    curve.fpr.push(fp / neg);
    curve.tpr.push(tp / pos);
    curve.thresholds.push(s);
  }
  return curve;
}

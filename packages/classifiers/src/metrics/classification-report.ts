import { OptionError } from '@recurrent/core';
import { checkNumClasses, checkSameLength, confusionMatrix } from './confusion-matrix.ts';

/** Precision, recall and F1 of one class (or an average of them). */
export interface PrecisionRecallF1 {
  /** TP / (TP + FP); 0 when the class was never predicted (scikit-learn's `zero_division=0`). */
  precision: number;
  /** TP / (TP + FN); 0 when the class never occurs. */
  recall: number;
  /** 2PR / (P + R); 0 when P + R = 0. */
  f1: number;
}

/** Scores of one class. */
export interface ClassScores extends PrecisionRecallF1 {
  /** The class name (`labels[i]`, or the id as a string). */
  label: string;
  /** Examples whose true class this is. */
  support: number;
}

/** Everything {@link classificationReport} measures. */
export interface ClassificationReport {
  /** Fraction of examples predicted correctly (0 for no examples). */
  accuracy: number;
  /** Per class, in class-id order. */
  perClass: ClassScores[];
  /**
   * Unweighted mean over classes of each score (scikit-learn's `average='macro'`: the macro F1 is the
   * mean of the per-class F1s, not the F1 of the mean precision and recall).
   */
  macro: PrecisionRecallF1;
  /**
   * From the summed TP, FP and FN of all classes (`average='micro'`). With exactly one label per example
   * every false positive is some other class's false negative, so all three equal the accuracy.
   */
  micro: PrecisionRecallF1;
  /** Mean over classes weighted by support (`average='weighted'`). */
  weighted: PrecisionRecallF1;
  /** `[C][C]` counts, rows true and columns predicted (see {@link confusionMatrix}). */
  confusion: number[][];
  /** Number of examples. */
  total: number;
}

/** Options for {@link classificationReport}. */
export interface ClassificationReportOptions {
  /** Number of classes C; ids are in `[0, C)`. Required unless `labels` is given. */
  numClasses?: number;
  /** Class names by id (their count is C when `numClasses` is not given). Default: the ids as strings. */
  labels?: readonly string[];
}

/**
 * Accuracy, per-class precision/recall/F1, their macro, micro and weighted averages and the confusion
 * matrix of predictions `yPred` against `yTrue` (class ids, one per example).
 *
 * @throws OptionError when neither `numClasses` nor `labels` is given or they disagree; ShapeError for
 *   different lengths; DataError for an id out of range.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ClassificationReportOptions,
): ClassificationReport {
  const c = options.numClasses ?? options.labels?.length;
  if (c === undefined) {
    throw new OptionError('classificationReport options', 'numClasses or labels', 'neither');
  }
  checkNumClasses('classificationReport', c);
  if (options.labels !== undefined && options.labels.length !== c) {
    throw new OptionError(
      'classificationReport labels',
      `${c} names (numClasses)`,
      String(options.labels.length),
    );
  }
  checkSameLength('classificationReport', yTrue, yPred);
  const confusion = confusionMatrix(yTrue, yPred, c);
  const n = yTrue.length;
  let correct = 0;
  let tpAll = 0;
  let fpAll = 0;
  let fnAll = 0;
  const perClass: ClassScores[] = [];
  for (let k = 0; k < c; k++) {
    const tp = confusion[k]![k]!;
    let fn = 0;
    let fp = 0;
    for (let j = 0; j < c; j++) {
      if (j === k) continue;
      fn += confusion[k]![j]!;
      fp += confusion[j]![k]!;
    }
    correct += tp;
    tpAll += tp;
    fpAll += fp;
    fnAll += fn;
    perClass.push({ label: options.labels?.[k] ?? String(k), support: tp + fn, ...scores(tp, fp, fn) });
  }
  const mean = (weight: (s: ClassScores) => number): PrecisionRecallF1 => {
    let w = 0;
    const acc = { precision: 0, recall: 0, f1: 0 };
    for (const s of perClass) {
      const ws = weight(s);
      w += ws;
      acc.precision += ws * s.precision;
      acc.recall += ws * s.recall;
      acc.f1 += ws * s.f1;
    }
    return w === 0 ? acc : { precision: acc.precision / w, recall: acc.recall / w, f1: acc.f1 / w };
  };
  return {
    accuracy: n === 0 ? 0 : correct / n,
    perClass,
    macro: mean(() => 1),
    micro: scores(tpAll, fpAll, fnAll),
    weighted: mean((s) => s.support),
    confusion,
    total: n,
  };
}

function scores(tp: number, fp: number, fn: number): PrecisionRecallF1 {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

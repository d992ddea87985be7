import { DataError, OptionError, ShapeError } from '@recurrent/core';

/**
 * Counts of (true class, predicted class) pairs: `matrix[t][p]` is how many examples of class `t` were
 * predicted as `p` (rows true, columns predicted, as in scikit-learn's `confusion_matrix`).
 *
 * @param yTrue true class ids, each in `[0, numClasses)`.
 * @param yPred predicted class ids, as many as `yTrue`, each in `[0, numClasses)`.
 * @returns `[numClasses][numClasses]` counts.
 * @throws ShapeError when the lengths differ; DataError naming the first id out of range.
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
): number[][] {
  checkNumClasses('confusionMatrix', numClasses);
  checkSameLength('confusionMatrix', yTrue, yPred);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = classId('confusionMatrix yTrue', yTrue[i]!, i, numClasses);
    const p = classId('confusionMatrix yPred', yPred[i]!, i, numClasses);
    m[t]![p]!++;
  }
  return m;
}

/** Throws an OptionError unless `n` is an integer >= 1. */
export function checkNumClasses(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new OptionError(`${what} numClasses`, 'an integer >= 1', String(n));
}

/** Throws a ShapeError naming `what` when the two label arrays differ in length. */
export function checkSameLength(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new ShapeError(`${what} predictions`, `${a.length} (one per true label)`, String(b.length));
  }
}

function classId(what: string, v: number, i: number, n: number): number {
  if (!(Number.isInteger(v) && v >= 0 && v < n)) {
    throw new DataError(`${what}[${i}]`, `a class id in [0, ${n})`, String(v));
  }
  return v;
}

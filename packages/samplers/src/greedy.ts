import { NumericalError, ShapeError } from '@recurrent/core';

/**
 * The index of the largest logit, the lowest index on a tie. Needs no random numbers.
 *
 * @param logits one row `[V]`.
 * @throws ShapeError on an empty row; NumericalError when a logit is NaN.
 */
export function greedy(logits: ArrayLike<number>): number {
  if (logits.length === 0) throw new ShapeError('greedy logits', '[V] with V >= 1', '[0]');
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (Number.isNaN(v)) throw new NumericalError(`greedy logits[${i}]`, 'a number', 'NaN');
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

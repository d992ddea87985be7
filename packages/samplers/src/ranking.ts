import { NumericalError } from '@recurrent/core';

/**
 * Token ids ordered by logit, highest first, lower id first on a tie. The one ordering that top-k,
 * top-p and beam search share, so they agree with each other and with greedy on ties.
 *
 * @throws NumericalError when a logit is NaN (a NaN would make the order meaningless).
 */
export function rankByLogit(logits: ArrayLike<number>): Int32Array {
  const order = new Int32Array(logits.length);
  for (let i = 0; i < order.length; i++) {
    if (Number.isNaN(logits[i])) throw new NumericalError(`logits[${i}]`, 'a number', 'NaN');
    order[i] = i;
  }
  // a - b breaks ties, and also orders equal infinities, whose difference is NaN.
  order.sort((a, b) => logits[b]! - logits[a]! || a - b);
  return order;
}

import { NumericalError, type Rng, ShapeError } from '@recurrent/core';

/**
 * The exponentials of the last draw, reused: generation draws once per token, and a fresh array past 64
 * bytes is a native allocation whose cost (with its collection) is a sizeable share of a batch-1 step.
 * Nothing is kept in it between calls, and a draw never calls out, so reuse cannot be observed.
 */
let scratch = new Float64Array(256);

/**
 * One draw from softmax(logits) by inverting the cumulative distribution with one `rng.uniform()`.
 * Tokens at -Infinity have probability 0 and are never drawn. Computed in float64.
 *
 * @param logits one row `[V]`.
 * @throws ShapeError on an empty row; NumericalError on NaN or +Infinity logits, or when every
 *   token is at -Infinity.
 */
export function sampleCategorical(logits: ArrayLike<number>, rng: Rng): number {
  const n = logits.length;
  if (n === 0) throw new ShapeError('sample logits', '[V] with V >= 1', '[0]');
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY) {
      throw new NumericalError(`sample logits[${i}]`, 'a finite number or -Infinity', String(v));
    }
    if (v > max) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY) {
    throw new NumericalError('sample logits', 'at least one token with nonzero probability', 'all -Infinity');
  }
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  const weights = scratch;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.exp(logits[i]! - max);
    weights[i] = w;
    sum += w;
  }
  const target = rng.uniform() * sum;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    acc += w;
    last = i;
    if (target < acc) return i;
  }
  // Rounding can leave `target` a hair above the running sum; the last possible token is right then.
  return last;
}

import { OptionError } from '@recurrent/core';
import { rankByLogit } from './ranking.ts';

/**
 * Nucleus filtering (Holtzman et al., 2020): keeps the most likely tokens, in rank order, until their
 * probability mass reaches `p` (the token that crosses `p` is kept; at least one token always is),
 * and sets the rest to -Infinity. `p` = 1 keeps everything. Returns a new array.
 *
 * @param logits one row `[V]`; not modified. Probabilities are computed in float64.
 */
export function topPFilter(logits: Float32Array, p: number): Float32Array {
  if (!(p > 0 && p <= 1)) throw new OptionError('topP', 'a number in (0, 1]', String(p));
  if (p === 1) return Float32Array.from(logits);
  const order = rankByLogit(logits);
  const max = logits[order[0]!]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const out = new Float32Array(logits.length).fill(Number.NEGATIVE_INFINITY);
  let mass = 0;
  for (let r = 0; r < order.length; r++) {
    const id = order[r]!;
    out[id] = logits[id]!;
    mass += Math.exp(logits[id]! - max) / sum;
    if (mass >= p) break;
  }
  return out;
}

import { OptionError } from '@recurrent/core';
import { rankByLogit } from './ranking.ts';

/**
 * Keeps exactly the `k` highest logits (lower id first on a tie, so top-1 is greedy) and sets the
 * rest to -Infinity. `k` = 0 or `k` >= V keeps everything. Returns a new array.
 *
 * @param logits one row `[V]`; not modified.
 */
export function topKFilter(logits: Float32Array, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 0) throw new OptionError('topK', 'an integer >= 0', String(k));
  if (k === 0 || k >= logits.length) return Float32Array.from(logits);
  const out = new Float32Array(logits.length).fill(Number.NEGATIVE_INFINITY);
  const order = rankByLogit(logits);
  for (let r = 0; r < k; r++) {
    const id = order[r]!;
    out[id] = logits[id]!;
  }
  return out;
}

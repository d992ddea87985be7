import { OptionError } from '@recurrent/core';

/**
 * CTRL's repetition penalty (Keskar et al., 2019) as Hugging Face applies it: for each distinct
 * token in `history`, a positive logit is divided by `penalty` and a negative one multiplied, so a
 * penalty > 1 always makes a seen token less likely. A token repeated in the history is penalised
 * once. Returns a new array.
 *
 * @param logits one row `[V]`; not modified.
 * @param history token ids seen so far (prompt and generated); ids outside [0, V) are ignored.
 */
export function applyRepetitionPenalty(
  logits: Float32Array,
  history: ArrayLike<number>,
  penalty: number,
): Float32Array {
  if (!(penalty > 0) || !Number.isFinite(penalty)) {
    throw new OptionError('repetitionPenalty', 'a finite number > 0', String(penalty));
  }
  const out = Float32Array.from(logits);
  if (penalty === 1) return out;
  const seen = new Set<number>();
  for (let i = 0; i < history.length; i++) {
    const id = history[i]!;
    if (seen.has(id) || !(id >= 0 && id < logits.length)) continue;
    seen.add(id);
    const v = logits[id]!;
    out[id] = v < 0 ? v * penalty : v / penalty;
  }
  return out;
}

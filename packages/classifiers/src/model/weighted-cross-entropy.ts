import { add, crossEntropy, DataError, OptionError, scale, type Tape, type Tensor } from '@recurrent/core';

/**
 * Class-weighted cross-entropy of `logits [N, C]` against `targets [N]`: Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ], PyTorch's
 * `cross_entropy(weight=w)`. Built from core's fused loss, one masked sum per class (C is small), so the
 * gradient is the fused one's.
 * @throws OptionError when `weights` is not C non-negative numbers with a positive total over the targets.
 */
export function weightedCrossEntropy(
  tape: Tape,
  logits: Tensor,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
): Tensor {
  const c = logits.dim(-1);
  if (weights.length !== c)
    throw new OptionError('class weights', `${c} numbers (one per class)`, String(weights.length));
  for (let k = 0; k < c; k++) {
    if (!(weights[k]! >= 0 && Number.isFinite(weights[k]!))) {
      throw new OptionError(`class weight ${k}`, 'a finite number >= 0', String(weights[k]));
    }
  }
  let total = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (!(Number.isInteger(t) && t >= 0 && t < c)) {
      throw new DataError(
        `weightedCrossEntropy target at position ${i}`,
        `a class id in [0, ${c})`,
        String(t),
      );
    }
    total += weights[t]!;
  }
  if (!(total > 0)) throw new OptionError('class weights of the targets', 'a positive total', String(total));
  let loss: Tensor | null = null;
  const masked = new Int32Array(targets.length);
  for (let k = 0; k < c; k++) {
    if (weights[k] === 0) continue;
    let any = false;
    for (let i = 0; i < targets.length; i++) {
      masked[i] = targets[i] === k ? k : -1;
      any ||= targets[i] === k;
    }
    if (!any) continue;
    const part = scale(
      tape,
      crossEntropy(tape, logits, masked, { ignoreIndex: -1, reduction: 'sum' }),
      weights[k]! / total,
    );
    loss = loss === null ? part : add(tape, loss, part);
  }
  return loss!;
}

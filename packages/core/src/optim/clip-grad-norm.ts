import { NumericalError, OptionError } from '../errors.ts';
import type { Tensor } from '../tensor.ts';

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Largest allowed global norm, >= 0 (required; 0 zeroes every gradient). */
  maxNorm: number;
  /** Which p-norm: any p >= 1, or `Infinity` for the max norm (default 2, PyTorch's). */
  normType?: number;
  /** Throw a NumericalError when the total norm is NaN or infinite, leaving the grads untouched (default false, PyTorch's). */
  errorIfNonfinite?: boolean;
}

/**
 * Clips gradients by their global norm, PyTorch's `clip_grad_norm_`: the norm is taken over all gradients
 * together as if concatenated; when `maxNorm / (norm + 1e-6) < 1` every gradient is scaled by that factor
 * in place. Parameters whose grad is null are skipped.
 *
 * @param params named parameters (`model.parameters()`) or plain tensors.
 * @returns the total norm before clipping (summed in float64).
 */
export function clipGradNorm(
  params: Iterable<Tensor | readonly [string, Tensor]>,
  options: ClipGradNormOptions,
): number {
  const maxNorm = options.maxNorm;
  const normType = options.normType ?? 2;
  if (!(typeof maxNorm === 'number' && maxNorm >= 0 && !Number.isNaN(maxNorm))) {
    throw new OptionError('clipGradNorm maxNorm', 'a number >= 0', String(maxNorm));
  }
  if (!(normType >= 1))
    throw new OptionError('clipGradNorm normType', 'a number >= 1 or Infinity', String(normType));
  const grads: Float32Array[] = [];
  for (const item of params) {
    const t = Array.isArray(item) ? (item as readonly [string, Tensor])[1] : (item as Tensor);
    if (t.grad !== null) grads.push(t.grad);
  }
  let total = 0;
  if (normType === Number.POSITIVE_INFINITY) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]!));
  } else if (normType === 2) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += g[i]! * g[i]!;
    total = Math.sqrt(total);
  } else {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += Math.abs(g[i]!) ** normType;
    total **= 1 / normType;
  }
  if (!Number.isFinite(total) && options.errorIfNonfinite === true) {
    throw new NumericalError(
      `clipGradNorm total ${normType}-norm of the gradients`,
      'a finite number',
      String(total),
    );
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  }
  return total;
}

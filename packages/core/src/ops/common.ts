/**
 * Helpers shared by the primitive ops (not part of the public surface): output allocation, axis
 * normalisation, and the [outer, n, inner] view of a tensor around one axis.
 */
import { fmtShape, OptionError, ShapeError } from '../errors.ts';
import { allocF32 } from '../memory.ts';
import { shapeSize, Tensor } from '../tensor.ts';

/** A fresh output tensor of `shape`; it requires grad exactly when the op records a backward step. */
export function output(shape: readonly number[], requiresGrad: boolean): Tensor {
  return new Tensor(allocF32(shapeSize(shape)), shape, requiresGrad);
}

/** Resolves a possibly negative `axis` of a rank-`rank` tensor; throws naming `what`. */
export function normAxis(what: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new OptionError(`${what} axis`, `an integer in [${-rank}, ${rank - 1}]`, String(axis));
  }
  return a;
}

/** Splits `shape` around `axis` into the sizes before it, of it, and after it. */
export function aroundAxis(
  shape: readonly number[],
  axis: number,
): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, n: shape[axis]!, inner };
}

/** Requires rank >= `min`; the message names the op and the shape that arrived. */
export function requireRank(what: string, t: Tensor, min: number): void {
  if (t.rank < min) throw new ShapeError(what, `a tensor of rank >= ${min}`, fmtShape(t.shape));
}

/**
 * Masking: `maskedFill` overwrites masked positions with a constant (−Infinity before a softmax, so
 * padding gets zero weight), and `lengthMask` builds the mask of padded positions from sequence lengths.
 */
import { DataError, fmtShape, ShapeError } from '../errors.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { output } from './common.ts';

/**
 * A copy of `a` with `value` wherever `mask[i]` is nonzero (`mask` has one entry per element of `a`,
 * row-major). Filled positions pass no gradient back.
 */
export function maskedFill(tape: Tape, a: Tensor, mask: ArrayLike<number>, value: number): Tensor {
  if (mask.length !== a.size) {
    throw new ShapeError(
      `maskedFill mask for ${fmtShape(a.shape)}`,
      `${a.size} entries`,
      String(mask.length),
    );
  }
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = mask[i] ? value : x[i]!;
  if (rec) {
    const saved = Uint8Array.from(mask, (m) => (m ? 1 : 0));
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) if (!saved[i]) ga[i]! += g[i]!;
    });
  }
  return out;
}

/**
 * `[B, S]` mask (row-major, 1 = padding) with `mask[b, s] = 1` for `s >= lengths[b]`.
 * Throws a DataError when a length is not an integer in `[0, S]`.
 */
export function lengthMask(lengths: ArrayLike<number>, s: number): Uint8Array {
  const m = new Uint8Array(lengths.length * s);
  for (let b = 0; b < lengths.length; b++) {
    const len = lengths[b]!;
    if (!(Number.isInteger(len) && len >= 0 && len <= s)) {
      throw new DataError(`lengths[${b}]`, `an integer in [0, ${s}]`, String(len));
    }
    m.fill(1, b * s + len, (b + 1) * s);
  }
  return m;
}

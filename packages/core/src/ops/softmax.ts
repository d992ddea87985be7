/**
 * `softmax` and `logSoftmax` over the last axis, max-shifted so large logits cannot overflow, with the
 * row sums kept in float64. A position holding −Infinity (a masked score) gets probability exactly 0
 * and no gradient; a row that is entirely −Infinity gives NaN, as in PyTorch.
 */
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { output, requireRank } from './common.ts';

/** `softmax(a)` over the last axis (same shape). */
export function softmax(tape: Tape, a: Tensor): Tensor {
  requireRank('softmax input', a, 1);
  const n = a.dim(-1);
  const rows = n === 0 ? 0 : a.size / n;
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const y = out.data;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) if (x[o + j]! > max) max = x[o + j]!;
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(x[o + j]! - max);
      y[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) y[o + j]! *= inv;
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      // dx = y ⊙ (dy − Σ dy ⊙ y)
      for (let r = 0, o = 0; r < rows; r++, o += n) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += g[o + j]! * y[o + j]!;
        for (let j = 0; j < n; j++) ga[o + j]! += y[o + j]! * (g[o + j]! - dot);
      }
    });
  }
  return out;
}

/** `log(softmax(a))` over the last axis (same shape), computed as `x − max − log Σ e^(x − max)`. */
export function logSoftmax(tape: Tape, a: Tensor): Tensor {
  requireRank('logSoftmax input', a, 1);
  const n = a.dim(-1);
  const rows = n === 0 ? 0 : a.size / n;
  const rec = tape.needsGrad(a);
  const out = output(a.shape, rec);
  const x = a.data;
  const y = out.data;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) if (x[o + j]! > max) max = x[o + j]!;
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[o + j]! - max);
    const shift = max + Math.log(s);
    for (let j = 0; j < n; j++) y[o + j] = x[o + j]! - shift;
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      // dx = dy − softmax ⊙ Σ dy
      for (let r = 0, o = 0; r < rows; r++, o += n) {
        let sg = 0;
        for (let j = 0; j < n; j++) sg += g[o + j]!;
        for (let j = 0; j < n; j++) ga[o + j]! += g[o + j]! - Math.exp(y[o + j]!) * sg;
      }
    });
  }
  return out;
}

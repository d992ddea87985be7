/**
 * Pooling of a padded sequence of vectors `[B, T, F]` over its valid steps (`t < lengths[b]`) into one
 * vector per row `[B, F]`: the element-wise maximum, or the mean. Padded steps never count: a recurrent
 * layer writes 0 there, which would otherwise win a maximum over negative values or dilute a mean.
 */
import { DataError, fmtShape, mul, ShapeError, sum, type Tape, Tensor } from '@recurrent/core';

/** Element-wise maximum over the valid steps: `x [B, T, F]`, lengths `[B]` in [1, T] -> `[B, F]`. */
export function maxOverTime(tape: Tape, x: Tensor, lengths: ArrayLike<number>): Tensor {
  const [b, t, f] = checkInput('maxOverTime', x, lengths);
  const rec = tape.needsGrad(x);
  const out = Tensor.zeros([b, f], rec);
  // argmax[b, j] = the flat index in x that won, so backward routes each gradient to one element.
  const argmax = new Int32Array(b * f);
  const xs = x.data;
  const y = out.data;
  for (let r = 0; r < b; r++) {
    const len = lengths[r]!;
    const base = r * t * f;
    for (let j = 0; j < f; j++) {
      let best = base + j;
      let v = xs[best]!;
      for (let s = 1, p = base + f + j; s < len; s++, p += f) {
        // `>` keeps the earliest step on a tie, as PyTorch's max does.
        if (xs[p]! > v) {
          v = xs[p]!;
          best = p;
        }
      }
      y[r * f + j] = v;
      argmax[r * f + j] = best;
    }
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const gx = x.ensureGrad();
      for (let i = 0; i < g.length; i++) gx[argmax[i]!]! += g[i]!;
    });
  }
  return out;
}

/** Mean over the valid steps: `x [B, T, F]`, lengths `[B]` in [1, T] -> `[B, F]`. */
export function meanOverTime(tape: Tape, x: Tensor, lengths: ArrayLike<number>): Tensor {
  const [b, t] = checkInput('meanOverTime', x, lengths);
  // Zero the padded steps (a recurrent layer already does; an embedding of a non-zero pad row would not),
  // then Σ_t / length, composed from ops so the gradient is theirs.
  let masked = x;
  let padded = false;
  for (let r = 0; r < b && !padded; r++) padded = lengths[r]! < t;
  if (padded) {
    const keep = new Float32Array(b * t);
    for (let r = 0; r < b; r++) keep.fill(1, r * t, r * t + lengths[r]!);
    masked = mul(tape, x, Tensor.from(keep, [b, t, 1]));
  }
  const inv = Tensor.from(
    Array.from({ length: b }, (_, r) => 1 / lengths[r]!),
    [b, 1],
  );
  return mul(tape, sum(tape, masked, { axis: 1 }), inv); // [B, F]
}

function checkInput(what: string, x: Tensor, lengths: ArrayLike<number>): [number, number, number] {
  if (x.rank !== 3) throw new ShapeError(`${what} input`, '[B, T, F]', fmtShape(x.shape));
  const [b, t, f] = x.shape as [number, number, number];
  if (lengths.length !== b)
    throw new ShapeError(`${what} lengths`, `${b} entries (one per row)`, String(lengths.length));
  for (let r = 0; r < b; r++) {
    const len = lengths[r]!;
    if (!(Number.isInteger(len) && len >= 1 && len <= t)) {
      throw new DataError(`${what} lengths[${r}]`, `an integer in [1, ${t}]`, String(len));
    }
  }
  return [b, t, f];
}

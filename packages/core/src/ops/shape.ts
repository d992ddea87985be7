/**
 * Ops that move values without arithmetic: `reshape` (shares the data, no copy), `transpose` (swaps the
 * last two axes), `concat` and `slice` along an axis. Their backward routes each gradient element back
 * to where its value came from.
 */
import { fmtShape, OptionError, ShapeError } from '../errors.ts';
import type { Tape } from '../tape.ts';
import { shapeSize, Tensor } from '../tensor.ts';
import { aroundAxis, normAxis, output, requireRank } from './common.ts';

/**
 * The same values under another `shape` of equal size (one entry may be −1: inferred). The output
 * shares `a.data` (ops never write into their inputs), but has a gradient buffer of its own.
 */
export function reshape(tape: Tape, a: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape(a, shape);
  const rec = tape.needsGrad(a);
  const out = new Tensor(a.data, resolved, rec);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i]! += g[i]!;
    });
  }
  return out;
}

function resolveShape(a: Tensor, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  const bad = () =>
    new ShapeError(`reshape of ${fmtShape(a.shape)}`, `a shape with ${a.size} elements`, fmtShape(shape));
  if (free > 1) throw bad();
  if (free === 0) {
    if (shapeSize(shape) !== a.size) throw bad();
    return [...shape];
  }
  const known = shapeSize(shape.filter((d) => d !== -1));
  if (known === 0 || a.size % known !== 0) throw bad();
  return shape.map((d) => (d === -1 ? a.size / known : d));
}

/** Swaps the last two axes: `[..., M, N] -> [..., N, M]` (a copy). */
export function transpose(tape: Tape, a: Tensor): Tensor {
  requireRank('transpose input', a, 2);
  const m = a.dim(-2);
  const n = a.dim(-1);
  const batch = m * n === 0 ? 0 : a.size / (m * n);
  const rec = tape.needsGrad(a);
  const out = output([...a.shape.slice(0, -2), n, m], rec);
  const x = a.data;
  const y = out.data;
  for (let b = 0, base = 0; b < batch; b++, base += m * n) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[base + j * m + i] = x[base + i * n + j]!;
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let b = 0, base = 0; b < batch; b++, base += m * n) {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ga[base + i * n + j]! += g[base + j * m + i]!;
      }
    });
  }
  return out;
}

/** Joins `xs` along `axis`; every other dimension must agree. */
export function concat(tape: Tape, xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (first === undefined) throw new OptionError('concat inputs', 'at least one tensor', 'an empty list');
  const ax = normAxis('concat', axis, first.rank);
  let total = 0;
  for (const [i, t] of xs.entries()) {
    const ok = t.rank === first.rank && t.shape.every((d, j) => j === ax || d === first.shape[j]);
    if (!ok) {
      const exp = first.shape.map((d, j) => (j === ax ? '*' : String(d))).join(', ');
      throw new ShapeError(`concat input ${i} along axis ${ax}`, `[${exp}]`, fmtShape(t.shape));
    }
    total += t.shape[ax]!;
  }
  const shape = [...first.shape];
  shape[ax] = total;
  const rec = tape.needsGrad(...xs);
  const out = output(shape, rec);
  const { outer, inner } = aroundAxis(shape, ax);
  const rowOut = total * inner;
  let off = 0;
  for (const t of xs) {
    const w = t.shape[ax]! * inner;
    for (let o = 0; o < outer; o++) out.data.set(t.data.subarray(o * w, (o + 1) * w), o * rowOut + off);
    off += w;
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      let off2 = 0;
      for (const t of xs) {
        const w = t.shape[ax]! * inner;
        if (t.requiresGrad) {
          const gt = t.ensureGrad();
          for (let o = 0; o < outer; o++) {
            const src = o * rowOut + off2;
            const dst = o * w;
            for (let j = 0; j < w; j++) gt[dst + j]! += g[src + j]!;
          }
        }
        off2 += w;
      }
    });
  }
  return out;
}

/** `a[..., start:end, ...]` along `axis` (end exclusive; the axis keeps its place with size end − start). */
export function slice(tape: Tape, a: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = normAxis('slice', axis, a.rank);
  const d = a.shape[ax]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > d || start > end) {
    throw new OptionError(
      `slice of ${fmtShape(a.shape)} along axis ${ax}`,
      `integers 0 <= start <= end <= ${d}`,
      `start ${start}, end ${end}`,
    );
  }
  const shape = [...a.shape];
  shape[ax] = end - start;
  const { outer, inner } = aroundAxis(a.shape, ax);
  const w = (end - start) * inner;
  const rowIn = d * inner;
  const rec = tape.needsGrad(a);
  const out = output(shape, rec);
  for (let o = 0; o < outer; o++) {
    const src = o * rowIn + start * inner;
    out.data.set(a.data.subarray(src, src + w), o * w);
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let o = 0; o < outer; o++) {
        const dst = o * rowIn + start * inner;
        const src = o * w;
        for (let j = 0; j < w; j++) ga[dst + j]! += g[src + j]!;
      }
    });
  }
  return out;
}

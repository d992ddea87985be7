/**
 * Reductions: `sum` and `mean`, over every element (a scalar, shape `[]`) or along one axis (that axis
 * removed). Sums are accumulated in float64 so a loss over a large batch does not drift.
 */
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { aroundAxis, normAxis, output } from './common.ts';

/** Options for {@link sum} and {@link mean}. */
export interface ReduceOptions {
  /** Reduce along this axis only (negative counts from the end); default: every element, giving `[]`. */
  axis?: number;
}

/** Σ of `a`: a scalar `[]`, or with `axis` the shape of `a` without that axis. */
export function sum(tape: Tape, a: Tensor, options: ReduceOptions = {}): Tensor {
  return reduce(tape, a, options, false);
}

/** Mean of `a`: a scalar `[]`, or with `axis` the shape of `a` without that axis. */
export function mean(tape: Tape, a: Tensor, options: ReduceOptions = {}): Tensor {
  return reduce(tape, a, options, true);
}

function reduce(tape: Tape, a: Tensor, options: ReduceOptions, average: boolean): Tensor {
  const what = average ? 'mean' : 'sum';
  let outer = 1;
  let n = a.size;
  let inner = 1;
  let shape: number[] = [];
  if (options.axis !== undefined) {
    const ax = normAxis(what, options.axis, a.rank);
    ({ outer, n, inner } = aroundAxis(a.shape, ax));
    shape = a.shape.filter((_, i) => i !== ax);
  }
  const f = average ? 1 / n : 1;
  const rec = tape.needsGrad(a);
  const out = output(shape, rec);
  const x = a.data;
  const y = out.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let j = 0, p = o * n * inner + i; j < n; j++, p += inner) s += x[p]!;
      y[o * inner + i] = s * f;
    }
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const ga = a.ensureGrad();
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const gi = g[o * inner + i]! * f;
          for (let j = 0, p = o * n * inner + i; j < n; j++, p += inner) ga[p]! += gi;
        }
      }
    });
  }
  return out;
}

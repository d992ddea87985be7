/**
 * Mean squared error, `mean((pred − target)²)`, as in `torch.nn.functional.mse_loss`.
 */
import { fmtShape, OptionError, ShapeError } from '../errors.ts';
import { output } from '../ops/common.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';

/** Options for {@link mse}. */
export interface MseOptions {
  /** `mean` over all elements (default) or their `sum`. */
  reduction?: 'mean' | 'sum';
}

/**
 * `pred` and `target` of the same shape -> scalar `[]`. Both receive gradient if they require it
 * (`2(pred − target)/n` and its negative). Accumulates in float64.
 */
export function mse(tape: Tape, pred: Tensor, target: Tensor, options: MseOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new OptionError('mse reduction', "'mean' | 'sum'", String(reduction));
  }
  const same = pred.rank === target.rank && pred.shape.every((d, i) => d === target.shape[i]);
  if (!same)
    throw new ShapeError('mse target', `the shape of pred ${fmtShape(pred.shape)}`, fmtShape(target.shape));
  const n = pred.size;
  const norm = reduction === 'mean' ? 1 / n : 1;
  const p = pred.data;
  const t = target.data;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i]! - t[i]!;
    s += d * d;
  }
  const rec = tape.needsGrad(pred, target);
  const out = output([], rec);
  out.data[0] = s * norm;
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const f = 2 * g[0]! * norm;
      const gp = pred.requiresGrad ? pred.ensureGrad() : null;
      const gt = target.requiresGrad ? target.ensureGrad() : null;
      // One loop per case: a branch per element costs as much as the arithmetic on long tensors.
      if (gp && gt) {
        for (let i = 0; i < n; i++) {
          const d = f * (p[i]! - t[i]!);
          gp[i]! += d;
          gt[i]! -= d;
        }
      } else if (gp) {
        for (let i = 0; i < n; i++) gp[i]! += f * (p[i]! - t[i]!);
      } else if (gt) {
        for (let i = 0; i < n; i++) gt[i]! -= f * (p[i]! - t[i]!);
      }
    });
  }
  return out;
}

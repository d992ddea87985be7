/**
 * The affine map `y = x·Wᵀ + b` as one op: a GEMM with the weight in PyTorch's `[out, in]` layout and
 * the bias added by `kernels().addBias`, instead of `matmul` + broadcast `add` (which would allocate the
 * product twice). Checked against that composition by the gradient tests.
 */
import { fmtShape, ShapeError } from '../errors.ts';
import { kernels } from '../kernels/backend.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { output, requireRank } from './common.ts';

/**
 * `x [..., in] · weightᵀ + bias -> [..., out]`, with `weight [out, in]` and `bias [out]` (or null for none).
 */
export function linear(tape: Tape, x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  requireRank('linear input', x, 1);
  if (weight.rank !== 2) throw new ShapeError('linear weight', '[out, in]', fmtShape(weight.shape));
  const nOut = weight.dim(0);
  const nIn = weight.dim(1);
  if (x.dim(-1) !== nIn) {
    throw new ShapeError(
      'linear input',
      `[..., ${nIn}] (weight is ${fmtShape(weight.shape)})`,
      fmtShape(x.shape),
    );
  }
  if (bias && (bias.rank !== 1 || bias.dim(0) !== nOut)) {
    throw new ShapeError('linear bias', `[${nOut}]`, fmtShape(bias.shape));
  }
  const rowsN = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  const rec = tape.needsGrad(x, weight, bias);
  const out = output([...x.shape.slice(0, -1), nOut], rec);
  const k = kernels();
  k.gemm('nt', rowsN, nOut, nIn, x.data, weight.data, out.data, false);
  if (bias) k.addBias(rowsN, nOut, out.data, bias.data);
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const kb = kernels();
      if (x.requiresGrad) kb.gemm('nn', rowsN, nIn, nOut, g, weight.data, x.ensureGrad(), true);
      if (weight.requiresGrad) kb.gemm('tn', nOut, nIn, rowsN, g, x.data, weight.ensureGrad(), true);
      if (bias?.requiresGrad) kb.sumRows(rowsN, nOut, g, bias.ensureGrad());
    });
  }
  return out;
}

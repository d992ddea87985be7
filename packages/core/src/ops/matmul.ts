/**
 * Matrix products on top of `kernels().gemm`. Three layouts:
 * - `[M, K] · [K, N] -> [M, N]`;
 * - `[..., M, K] · [K, N] -> [..., M, N]` (one weight shared by every leading index: flattened into a
 *   single GEMM, which is how a layer applies its weight to every time step at once);
 * - `[B, M, K] · [B, K, N] -> [B, M, N]` (batched; the leading dims must match exactly).
 * With `transposeB` the second operand is stored transposed (`[N, K]` or `[B, N, K]`), so a PyTorch
 * weight `[out, in]` multiplies without a copy.
 */
import { fmtShape, ShapeError } from '../errors.ts';
import { kernels } from '../kernels/backend.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { output, requireRank } from './common.ts';

/** Options for {@link matmul}. */
export interface MatmulOptions {
  /** Read `b` as stored transposed: `[N, K]` (or `[B, N, K]`) instead of `[K, N]`. Default false. */
  transposeB?: boolean;
}

/** `a · b` (or `a · bᵀ` with `transposeB`); see the module comment for the accepted shapes. */
export function matmul(tape: Tape, a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const tb = options.transposeB ?? false;
  requireRank('matmul a', a, 2);
  requireRank('matmul b', b, 2);
  const m = a.dim(-2);
  const k = a.dim(-1);
  const kb = b.dim(tb ? -1 : -2);
  const n = b.dim(tb ? -2 : -1);
  if (kb !== k) {
    throw new ShapeError(
      `matmul(a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}${tb ? ' transposed' : ''}) inner dimension`,
      `b.shape[${tb ? b.rank - 1 : b.rank - 2}] = ${k} (the last dimension of a)`,
      String(kb),
    );
  }
  let batch = 1;
  if (b.rank > 2) {
    const lead = a.shape.slice(0, -2);
    const leadB = b.shape.slice(0, -2);
    if (lead.length !== leadB.length || lead.some((d, i) => d !== leadB[i])) {
      throw new ShapeError(
        `matmul batch dimensions of a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`,
        `b with leading dims ${fmtShape(lead)}`,
        fmtShape(leadB),
      );
    }
    for (const d of lead) batch *= d;
  }
  // With a 2-D b every leading index of a shares it: fold them into the rows of one GEMM.
  const rows = b.rank > 2 ? m : a.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  const outShape = [...a.shape.slice(0, -1), n];
  const rec = tape.needsGrad(a, b);
  const out = output(outShape, rec);
  const kern = kernels();
  const aStep = rows * k;
  const bStep = b.rank > 2 ? k * n : 0;
  const cStep = rows * n;
  for (let i = 0; i < batch; i++) {
    const ai = a.data.subarray(i * aStep);
    const bi = b.data.subarray(i * bStep);
    const ci = out.data.subarray(i * cStep);
    kern.gemm(tb ? 'nt' : 'nn', rows, n, k, ai, bi, ci, false);
  }
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const kb2 = kernels();
      const ga = a.requiresGrad ? a.ensureGrad() : null;
      const gbuf = b.requiresGrad ? b.ensureGrad() : null;
      for (let i = 0; i < batch; i++) {
        const ai = a.data.subarray(i * aStep);
        const bi = b.data.subarray(i * bStep);
        const gi = g.subarray(i * cStep);
        if (ga) {
          // dA = dC·Bᵀ (nn-stored B) or dC·B (transposed B).
          kb2.gemm(tb ? 'nn' : 'nt', rows, k, n, gi, bi, ga.subarray(i * aStep), true);
        }
        if (gbuf) {
          const gbi = gbuf.subarray(i * bStep);
          // dB = Aᵀ·dC, or (dC)ᵀ·A when B is stored transposed.
          if (tb) kb2.gemm('tn', n, k, rows, gi, ai, gbi, true);
          else kb2.gemm('tn', k, n, rows, ai, gi, gbi, true);
        }
      }
    });
  }
  return out;
}

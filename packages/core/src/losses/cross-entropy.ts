/**
 * Cross-entropy over logits, fused with the log-softmax: one op whose backward is the closed form
 * `(softmax(x) − q) / count` instead of a chain of five ops, and which never materialises the
 * `[N, C]` log-probabilities (only one log-sum-exp per row is kept). Row arithmetic is float64.
 *
 * Matches `torch.nn.functional.cross_entropy` with class-index targets: `ignore_index`,
 * `label_smoothing` (target distribution q = (1 − ε)·onehot + ε/C), and the mean over the targets that
 * are not ignored. One deliberate difference: when every target is ignored PyTorch returns 0/0 = NaN,
 * this returns 0 with zero gradient, so a batch of pure padding cannot poison training.
 */
import { DataError, fmtShape, OptionError, ShapeError } from '../errors.ts';
import { kernels } from '../kernels/backend.ts';
import { allocF32 } from '../memory.ts';
import { output } from '../ops/common.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';

/** Options for {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing and are not counted. Default −100 (PyTorch's). */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target distribution is (1 − ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
  /** `mean` over counted targets (default) or their `sum` (e.g. for perplexity over many batches). */
  reduction?: 'mean' | 'sum';
}

/**
 * Loss of `logits [..., C]` against class ids `targets` (one per row of logits, row-major) -> scalar `[]`.
 * Throws a ShapeError when the counts differ and a DataError naming the first target outside `[0, C)`
 * that is not `ignoreIndex`.
 */
export function crossEntropy(
  tape: Tape,
  logits: Tensor,
  targets: ArrayLike<number>,
  options: CrossEntropyOptions = {},
): Tensor {
  const ignore = options.ignoreIndex ?? -100;
  const eps = options.labelSmoothing ?? 0;
  const reduction = options.reduction ?? 'mean';
  if (!Number.isInteger(ignore))
    throw new OptionError('crossEntropy ignoreIndex', 'an integer', String(ignore));
  if (!(eps >= 0 && eps <= 1))
    throw new OptionError('crossEntropy labelSmoothing', 'a number in [0, 1]', String(eps));
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new OptionError('crossEntropy reduction', "'mean' | 'sum'", String(reduction));
  }
  if (logits.rank < 1 || logits.dim(-1) < 1) {
    throw new ShapeError('crossEntropy logits', '[..., C] with C >= 1', fmtShape(logits.shape));
  }
  const c = logits.dim(-1);
  const rows = logits.size / c;
  if (targets.length !== rows) {
    throw new ShapeError(
      `crossEntropy targets for logits ${fmtShape(logits.shape)}`,
      `${rows} targets (one per row)`,
      String(targets.length),
    );
  }
  const tgt = new Int32Array(rows);
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const t = targets[i]!;
    if (t === ignore) {
      tgt[i] = -1;
      continue;
    }
    if (!(Number.isInteger(t) && t >= 0 && t < c)) {
      throw new DataError(
        `crossEntropy target at position ${i}`,
        `a class id in [0, ${c}) or ignoreIndex ${ignore}`,
        String(t),
      );
    }
    tgt[i] = t;
    count++;
  }
  const x = logits.data;
  // Row max, Σ e^(x − max) and Σ x in one kernel pass (SIMD exp on the wasm backends); the per-row log and
  // the loss stay in float64 here.
  const k = kernels();
  const mx = allocF32(rows);
  const se = allocF32(rows);
  const sx = allocF32(rows);
  k.softmaxStats(rows, c, x, mx, se, sx);
  const lse = allocF32(rows);
  let total = 0;
  for (let i = 0, o = 0; i < rows; i++, o += c) {
    const t = tgt[i]!;
    if (t < 0) continue;
    const l = mx[i]! + Math.log(se[i]!);
    lse[i] = l;
    total += (1 - eps) * (l - x[o + t]!) + (eps / c) * (c * l - sx[i]!);
  }
  const norm = reduction === 'mean' ? (count > 0 ? 1 / count : 0) : 1;
  const rec = tape.needsGrad(logits);
  const out = output([], rec);
  out.data[0] = total * norm;
  if (rec) {
    tape.record(() => {
      const g = out.grad;
      if (g === null) return;
      const gl = logits.ensureGrad();
      const f = g[0]! * norm;
      const scale = allocF32(rows);
      for (let i = 0; i < rows; i++) scale[i] = tgt[i]! < 0 ? 0 : f;
      k.softmaxGradAdd(rows, c, x, lse, scale, eps / c, gl);
      for (let i = 0, o = 0; i < rows; i++, o += c) {
        const t = tgt[i]!;
        if (t >= 0) gl[o + t]! -= f * (1 - eps);
      }
    });
  }
  return out;
}

import {
  allocF32,
  BaseOptimizer,
  kernels,
  type NamedParameters,
  OptionError,
  type Parameter,
  type ParamState,
} from '@recurrent/core';

/** Options of {@link LazyAdam}; the defaults are PyTorch's Adam defaults. */
export interface LazyAdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** First-moment decay, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Second-moment decay, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the bias-corrected root of the second moment (default 1e-8). */
  eps?: number;
}

type Resolved = Required<LazyAdamOptions>;

/**
 * Adam that skips the idle rows of row-sparse parameters (TensorFlow's `LazyAdam`). An embedding table
 * receives gradient only in the rows of the tokens in the batch; dense Adam still decays every row's
 * moments and moves every row whose first moment is not yet zero, which for a 15,000-word table is most
 * of a training step's arithmetic. Here a row of a parameter named in `rowSparse` whose gradient is all
 * zero is left exactly as it is (moments included); every other row, and every other parameter, gets
 * PyTorch's Adam update with the global step count `t` (`core`'s `Adam`, to the bit: a test checks it).
 */
export class LazyAdam extends BaseOptimizer<Resolved> {
  /** Row width of each row-sparse parameter, keyed by its data array (what `update` receives). */
  private readonly rowWidth = new Map<Float32Array, number>();

  /**
   * @param params the named parameters to train.
   * @param rowSparse names of `[rows, width]` parameters (e.g. `embedding.weight`) updated row by row.
   */
  constructor(params: NamedParameters, options: LazyAdamOptions = {}, rowSparse: readonly string[] = []) {
    const list = [...params];
    super(list, 'lazy_adam', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, options);
    const byName = new Map<string, Parameter>(list.map(([n, p]) => [n, p]));
    for (const name of rowSparse) {
      const p = byName.get(name);
      if (p === undefined || p.rank !== 2) {
        throw new OptionError(
          `LazyAdam rowSparse "${name}"`,
          'the name of a [rows, width] parameter',
          p === undefined ? 'unknown' : `rank ${p.rank}`,
        );
      }
      this.rowWidth.set(p.data, p.dim(1));
    }
  }

  protected validate(o: Resolved): void {
    for (const k of ['lr', 'eps'] as const) {
      if (!(Number.isFinite(o[k]) && o[k] >= 0))
        throw new OptionError(`lazy_adam ${k}`, 'a finite number >= 0', String(o[k]));
    }
    for (const k of ['beta1', 'beta2'] as const) {
      if (!(o[k] >= 0 && o[k] < 1))
        throw new OptionError(`lazy_adam ${k}`, 'a number in [0, 1)', String(o[k]));
    }
  }

  protected initBuffers(size: number): Record<string, Float32Array> {
    return { exp_avg: allocF32(size), exp_avg_sq: allocF32(size) };
  }

  protected update(p: Float32Array, grad: Float32Array, s: ParamState): void {
    const width = this.rowWidth.get(p);
    if (width === undefined) {
      this.adamRange(p, grad, s, 0, p.length);
      return;
    }
    for (let r = 0; r < p.length; r += width) {
      let active = false;
      for (let j = r; j < r + width && !active; j++) active = grad[j] !== 0;
      if (active) this.adamRange(p, grad, s, r, r + width);
    }
  }

  /**
   * PyTorch's Adam step on elements [from, to), through the same kernel as `core`'s `Adam` (so a row with
   * gradient gets the bits `Adam` would give it).
   */
  private adamRange(p: Float32Array, grad: Float32Array, s: ParamState, from: number, to: number): void {
    const { lr, beta1, beta2, eps } = this.opts;
    const stepSize = lr / (1 - beta1 ** s.step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** s.step);
    const n = to - from;
    // Plain views made directly (a backend's subclassed subarray costs more, once per row).
    const part = (a: Float32Array): Float32Array =>
      from === 0 && a.length === n ? a : new Float32Array(a.buffer, a.byteOffset + from * 4, n);
    const m = s.buffers.exp_avg!;
    const v = s.buffers.exp_avg_sq!;
    kernels().adamUpdate(n, part(p), part(grad), part(m), part(v), stepSize, bc2Sqrt, beta1, beta2, eps, 0);
  }
}

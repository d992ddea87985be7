import { kernels } from '../kernels/backend.ts';
import { allocF32 } from '../memory.ts';
import { checkNonNegative, checkUnitInterval } from './checks.ts';
import { BaseOptimizer, type NamedParameters, type ParamState } from './optimizer.ts';

/** Options of {@link Adam} and {@link AdamW}; defaults are PyTorch's. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rate of the first-moment average, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay rate of the second-moment average, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the bias-corrected root of the second moment, outside the square root (default 1e-8). */
  eps?: number;
  /**
   * Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay, `p *= 1 - lr * weightDecay`
   * before the Adam step (default 1e-2).
   */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

type Resolved = Required<AdamOptions>;

/**
 * The shared Adam step (PyTorch `torch/optim/adam.py`, single-tensor path), with `t = s.step`:
 * ```
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * vmax = max(vmax, v)                                   (amsgrad)
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 * `l2` is added to the gradient as `g + l2 * p` (Adam's weight decay); AdamW passes 0 and decays `p` itself.
 */
function adamStep(p: Float32Array, grad: Float32Array, s: ParamState, o: Resolved, l2: number): void {
  const { lr, beta1, beta2, eps, amsgrad } = o;
  const m = s.buffers.exp_avg!;
  const v = s.buffers.exp_avg_sq!;
  const vmax = s.buffers.max_exp_avg_sq;
  const stepSize = lr / (1 - beta1 ** s.step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** s.step);
  if (!amsgrad) {
    // The common case as one kernel (SIMD on the wasm backends).
    kernels().adamUpdate(p.length, p, grad, m, v, stepSize, bc2Sqrt, beta1, beta2, eps, l2);
    return;
  }
  for (let i = 0; i < p.length; i++) {
    const g = grad[i]! + l2 * p[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    let vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    if (amsgrad && vmax !== undefined) {
      vi = Math.max(vmax[i]!, v[i]!);
      vmax[i] = vi;
    }
    p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

function validateAdam(name: string, o: Resolved): void {
  checkNonNegative(`${name} lr`, o.lr);
  checkNonNegative(`${name} eps`, o.eps);
  checkUnitInterval(`${name} beta1`, o.beta1);
  checkUnitInterval(`${name} beta2`, o.beta2);
  checkNonNegative(`${name} weightDecay`, o.weightDecay);
}

function adamBuffers(size: number, amsgrad: boolean): Record<string, Float32Array> {
  const b: Record<string, Float32Array> = {
    exp_avg: allocF32(size),
    exp_avg_sq: allocF32(size),
  };
  if (amsgrad) b.max_exp_avg_sq = allocF32(size);
  return b;
}

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's exact update, bias corrections and `eps` placement: `eps` is
 * added after dividing `sqrt(v)` by `sqrt(1 - beta2^t)`. `weightDecay` is a classic L2 term in the gradient;
 * use {@link AdamW} for decoupled decay. State per parameter: `exp_avg`, `exp_avg_sq` (+ `max_exp_avg_sq`).
 */
export class Adam extends BaseOptimizer<Resolved> {
  constructor(params: NamedParameters, options: AdamOptions = {}) {
    super(
      params,
      'adam',
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false },
      options,
    );
  }

  protected validate(o: Resolved): void {
    validateAdam('adam', o);
  }

  protected initBuffers(size: number, o: Resolved): Record<string, Float32Array> {
    return adamBuffers(size, o.amsgrad);
  }

  protected update(p: Float32Array, grad: Float32Array, s: ParamState): void {
    adamStep(p, grad, s, this.opts, this.opts.weightDecay);
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019), PyTorch's rule: `p *= 1 - lr * weightDecay`, then the Adam step
 * without any L2 term. Default `weightDecay` is 1e-2 (PyTorch's).
 */
export class AdamW extends BaseOptimizer<Resolved> {
  constructor(params: NamedParameters, options: AdamOptions = {}) {
    super(
      params,
      'adamw',
      { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, amsgrad: false },
      options,
    );
  }

  protected validate(o: Resolved): void {
    validateAdam('adamw', o);
  }

  protected initBuffers(size: number, o: Resolved): Record<string, Float32Array> {
    return adamBuffers(size, o.amsgrad);
  }

  protected update(p: Float32Array, grad: Float32Array, s: ParamState): void {
    const decay = 1 - this.opts.lr * this.opts.weightDecay;
    if (decay !== 1) for (let i = 0; i < p.length; i++) p[i] = p[i]! * decay;
    adamStep(p, grad, s, this.opts, 0);
  }
}

import { checkNonNegative } from './checks.ts';
import { BaseOptimizer, type NamedParameters, type ParamState } from './optimizer.ts';

/** Options of {@link RMSprop}; defaults are PyTorch's (`torch.optim.RMSprop`). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the root of the average, outside it (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the estimated variance (subtract the squared mean gradient) instead of the raw second moment (default false). */
  centered?: boolean;
}

type Resolved = Required<RMSpropOptions>;

/**
 * RMSprop (Hinton) with PyTorch's rule (`torch/optim/rmsprop.py`):
 * ```
 * g = grad + weightDecay * p
 * sq = alpha * sq + (1 - alpha) * g^2
 * avg = sqrt(sq) + eps,  or centered: mean = alpha * mean + (1 - alpha) * g; avg = sqrt(sq - mean^2) + eps
 * momentum > 0:  buf = momentum * buf + g / avg;  p -= lr * buf
 * otherwise:     p -= lr * g / avg
 * ```
 * State per parameter: `square_avg` (+ `momentum_buffer`, `grad_avg`).
 */
export class RMSprop extends BaseOptimizer<Resolved> {
  constructor(params: NamedParameters, options: RMSpropOptions = {}) {
    super(
      params,
      'rmsprop',
      { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
      options,
    );
  }

  protected validate(o: Resolved): void {
    checkNonNegative('rmsprop lr', o.lr);
    checkNonNegative('rmsprop alpha', o.alpha);
    checkNonNegative('rmsprop eps', o.eps);
    checkNonNegative('rmsprop weightDecay', o.weightDecay);
    checkNonNegative('rmsprop momentum', o.momentum);
  }

  protected initBuffers(size: number, o: Resolved): Record<string, Float32Array> {
    const b: Record<string, Float32Array> = { square_avg: new Float32Array(size) };
    if (o.momentum > 0) b.momentum_buffer = new Float32Array(size);
    if (o.centered) b.grad_avg = new Float32Array(size);
    return b;
  }

  protected update(p: Float32Array, grad: Float32Array, s: ParamState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = this.opts;
    const sq = s.buffers.square_avg!;
    const buf = s.buffers.momentum_buffer;
    const mean = s.buffers.grad_avg;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]! + weightDecay * p[i]!;
      const sqi = alpha * sq[i]! + (1 - alpha) * g * g;
      sq[i] = sqi;
      let avg: number;
      if (centered && mean !== undefined) {
        const mi = alpha * mean[i]! + (1 - alpha) * g;
        mean[i] = mi;
        avg = Math.sqrt(sqi - mi * mi) + eps;
      } else {
        avg = Math.sqrt(sqi) + eps;
      }
      if (momentum > 0 && buf !== undefined) {
        const b = momentum * buf[i]! + g / avg;
        buf[i] = b;
        p[i] = p[i]! - lr * b;
      } else {
        p[i] = p[i]! - (lr * g) / avg;
      }
    }
  }
}

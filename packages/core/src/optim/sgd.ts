import { OptionError } from '../errors.ts';
import { checkNonNegative } from './checks.ts';
import { BaseOptimizer, type NamedParameters, type ParamState } from './optimizer.ts';

/** Options of {@link SGD}; defaults are PyTorch's (`torch.optim.SGD`). */
export interface SGDOptions {
  /** Learning rate (default 1e-3; PyTorch requires it, we give the common value). */
  lr?: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening for momentum: the new gradient enters the buffer scaled by `1 - dampening` (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false); needs `momentum > 0` and `dampening = 0`. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient: `g + weightDecay * p` (default 0). */
  weightDecay?: number;
}

const defaults: Required<SGDOptions> = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
};

/**
 * Stochastic gradient descent with PyTorch's exact rule (`torch/optim/sgd.py`):
 * ```
 * g = grad + weightDecay * p
 * buf = g                                     on the first step (no dampening)
 * buf = momentum * buf + (1 - dampening) * g  afterwards
 * g = nesterov ? g + momentum * buf : buf     (when momentum > 0)
 * p -= lr * g
 * ```
 * State per parameter: `momentum_buffer` (only when momentum > 0).
 */
export class SGD extends BaseOptimizer<Required<SGDOptions>> {
  constructor(params: NamedParameters, options: SGDOptions = {}) {
    super(params, 'sgd', defaults, options);
  }

  protected validate(o: Required<SGDOptions>): void {
    checkNonNegative('sgd lr', o.lr);
    checkNonNegative('sgd momentum', o.momentum);
    checkNonNegative('sgd weightDecay', o.weightDecay);
    if (!Number.isFinite(o.dampening))
      throw new OptionError('sgd dampening', 'a finite number', String(o.dampening));
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new OptionError(
        'sgd nesterov',
        'momentum > 0 and dampening = 0',
        `momentum ${o.momentum}, dampening ${o.dampening}`,
      );
    }
  }

  protected initBuffers(size: number, o: Required<SGDOptions>): Record<string, Float32Array> {
    return o.momentum !== 0 ? { momentum_buffer: new Float32Array(size) } : {};
  }

  protected update(p: Float32Array, grad: Float32Array, s: ParamState): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = this.opts;
    const buf = s.buffers.momentum_buffer;
    const first = s.step === 1;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]! + weightDecay * p[i]!;
      if (momentum !== 0 && buf !== undefined) {
        const b = first ? g : momentum * buf[i]! + (1 - dampening) * g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
      }
      p[i] = p[i]! - lr * g;
    }
  }
}

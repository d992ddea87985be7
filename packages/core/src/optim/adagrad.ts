import { checkNonNegative } from './checks.ts';
import { BaseOptimizer, type NamedParameters, type ParamState } from './optimizer.ts';

/** Options of {@link Adagrad}; defaults are PyTorch's (`torch.optim.Adagrad`). */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t - 1) * lrDecay)` (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the square root of the sum, outside it (default 1e-10). */
  eps?: number;
}

type Resolved = Required<AdagradOptions>;

/**
 * Adagrad (Duchi et al., 2011) with PyTorch's rule (`torch/optim/adagrad.py`), at step t:
 * ```
 * g = grad + weightDecay * p
 * sum += g^2
 * p -= lr / (1 + (t - 1) * lrDecay) * g / (sqrt(sum) + eps)
 * ```
 * State per parameter: `sum`.
 */
export class Adagrad extends BaseOptimizer<Resolved> {
  constructor(params: NamedParameters, options: AdagradOptions = {}) {
    super(
      params,
      'adagrad',
      { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
      options,
    );
  }

  protected validate(o: Resolved): void {
    checkNonNegative('adagrad lr', o.lr);
    checkNonNegative('adagrad lrDecay', o.lrDecay);
    checkNonNegative('adagrad weightDecay', o.weightDecay);
    checkNonNegative('adagrad initialAccumulatorValue', o.initialAccumulatorValue);
    checkNonNegative('adagrad eps', o.eps);
  }

  protected initBuffers(size: number, o: Resolved): Record<string, Float32Array> {
    return { sum: new Float32Array(size).fill(o.initialAccumulatorValue) };
  }

  protected update(p: Float32Array, grad: Float32Array, s: ParamState): void {
    const { lr, lrDecay, weightDecay, eps } = this.opts;
    const sum = s.buffers.sum!;
    const clr = lr / (1 + (s.step - 1) * lrDecay);
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]! + weightDecay * p[i]!;
      const acc = sum[i]! + g * g;
      sum[i] = acc;
      p[i] = p[i]! - (clr * g) / (Math.sqrt(acc) + eps);
    }
  }
}

/**
 * A fully connected layer, `y = x·Wᵀ + b`, with PyTorch's names, layout and default initialisation.
 */
import { fmtShape, OptionError, ShapeError } from '../errors.ts';
import { BaseModule } from '../module.ts';
import { linear } from '../ops/linear.ts';
import type { Rng } from '../rng.ts';
import type { Tape } from '../tape.ts';
import { Parameter, type Tensor } from '../tensor.ts';

/** Options for {@link Linear}. */
export interface LinearOptions {
  /** Input width `in` (the last dimension of x). */
  inFeatures: number;
  /** Output width `out`. */
  outFeatures: number;
  /** Whether to learn an additive bias. Default true. */
  bias?: boolean;
  /** Source of the initial weights. */
  rng: Rng;
}

/**
 * `Linear`: `x [..., in] -> [..., out]`. Parameters `weight [out, in]` and `bias [out]` (PyTorch's
 * `nn.Linear` state-dict names and layout), both initialised uniform(−1/√in, 1/√in) like PyTorch's
 * default (kaiming-uniform with a = √5 reduces to that bound), drawn weight first, then bias.
 */
export class Linear extends BaseModule {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[out, in]`. */
  readonly weight: Parameter;
  /** `[out]`, or null when built with `bias: false`. */
  readonly bias: Parameter | null;

  constructor(options: LinearOptions) {
    super();
    const { inFeatures, outFeatures, rng } = options;
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new OptionError(`Linear ${name}`, 'a positive integer', String(v));
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.param('weight', Parameter.zeros([outFeatures, inFeatures]));
    for (let i = 0; i < this.weight.size; i++) this.weight.data[i] = rng.range(-bound, bound);
    if (options.bias ?? true) {
      this.bias = this.param('bias', Parameter.zeros([outFeatures]));
      for (let i = 0; i < outFeatures; i++) this.bias.data[i] = rng.range(-bound, bound);
    } else {
      this.bias = null;
    }
  }

  /** `x [..., in] -> [..., out]`; a ShapeError names the expected width when x's last dim differs. */
  forward(tape: Tape, x: Tensor): Tensor {
    if (x.rank < 1 || x.dim(-1) !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures} -> ${this.outFeatures}) input`,
        `[..., ${this.inFeatures}]`,
        fmtShape(x.shape),
      );
    }
    return linear(tape, x, this.weight, this.bias);
  }
}

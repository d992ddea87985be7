/**
 * Self-attentive pooling (Yang et al. 2016, "Hierarchical Attention Networks"): a learned query scores
 * every valid step and the sequence is summarised by the softmax-weighted sum of its vectors,
 *
 *   u[b,t] = tanh(W x[b,t] + bias)        W [A, F], bias [A]
 *   e[b,t] = v · u[b,t]                   v [A]    (the learned "what matters" query)
 *   a[b,·] = softmax(e[b,·]) with steps t >= lengths[b] masked to −∞ (weight exactly 0)
 *   out[b] = Σ_t a[b,t] x[b,t]            [B, F]
 *
 * Composed from core ops, so its gradient is theirs.
 */
import {
  BaseModule,
  DataError,
  fmtShape,
  init,
  lengthMask,
  linear,
  maskedFill,
  matmul,
  OptionError,
  Parameter,
  type Rng,
  reshape,
  ShapeError,
  softmax,
  type Tape,
  type Tensor,
  tanh,
} from '@recurrent/core';

/** Options for {@link AttentionPooling}. */
export interface AttentionPoolingOptions {
  /** Width F of the pooled vectors. */
  inputSize: number;
  /** Width A of the scoring layer. */
  attentionSize: number;
  /** Draws the initial weights, uniform(−1/√fan_in, 1/√fan_in) like a PyTorch Linear. */
  rng: Rng;
}

/** Result of {@link AttentionPooling.forward}. */
export interface AttentionPoolingOutput {
  /** `[B, F]`. */
  pooled: Tensor;
  /** `[B, T]`: each row sums to 1 over its valid steps, 0 on padding. */
  weights: Tensor;
}

/** `AttentionPooling`: `x [B, T, F]` + lengths -> `[B, F]`. Parameters `W [A, F]`, `bias [A]`, `v [A]`. */
export class AttentionPooling extends BaseModule {
  readonly inputSize: number;
  readonly attentionSize: number;
  /** `[A, F]`. */
  readonly W: Parameter;
  /** `[A]`. */
  readonly bias: Parameter;
  /** `[A]`. */
  readonly v: Parameter;

  constructor(options: AttentionPoolingOptions) {
    super();
    const { inputSize: f, attentionSize: a, rng } = options;
    for (const [name, value] of [
      ['inputSize', f],
      ['attentionSize', a],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new OptionError(`AttentionPooling ${name}`, 'a positive integer', String(value));
      }
    }
    this.inputSize = f;
    this.attentionSize = a;
    this.W = this.param('W', uniform([a, f], f, rng));
    this.bias = this.param('bias', uniform([a], f, rng));
    this.v = this.param('v', uniform([a], a, rng));
  }

  /** Pools `x [B, T, F]` over steps `t < lengths[b]` (each in [1, T]; omitted = all T). */
  forward(tape: Tape, x: Tensor, lengths?: ArrayLike<number>): AttentionPoolingOutput {
    if (x.rank !== 3 || x.dim(2) !== this.inputSize) {
      throw new ShapeError('AttentionPooling input', `[B, T, ${this.inputSize}]`, fmtShape(x.shape));
    }
    const [b, t, f] = x.shape as [number, number, number];
    const a = this.attentionSize;
    const u = tanh(tape, linear(tape, x, this.W, this.bias)); // [B, T, A]
    let e = reshape(tape, matmul(tape, u, reshape(tape, this.v, [a, 1])), [b, t]); // [B, T]
    if (lengths !== undefined) {
      if (lengths.length !== b) {
        throw new ShapeError(
          'AttentionPooling lengths',
          `${b} entries (one per row)`,
          String(lengths.length),
        );
      }
      for (let r = 0; r < b; r++) {
        const len = lengths[r]!;
        if (!(Number.isInteger(len) && len >= 1 && len <= t)) {
          throw new DataError(`AttentionPooling lengths[${r}]`, `an integer in [1, ${t}]`, String(len));
        }
      }
      const mask = lengthMask(lengths, t);
      if (mask.includes(1)) e = maskedFill(tape, e, mask, Number.NEGATIVE_INFINITY);
    }
    const weights = softmax(tape, e); // [B, T]
    const pooled = reshape(tape, matmul(tape, reshape(tape, weights, [b, 1, t]), x), [b, f]); // [B, F]
    return { pooled, weights };
  }
}

function uniform(shape: number[], fanIn: number, rng: Rng): Parameter {
  const bound = 1 / Math.sqrt(fanIn);
  return init.uniform(Parameter.zeros(shape), rng, { low: -bound, high: bound }) as Parameter;
}

/**
 * Attention of one query over a batch of source sequences (the keys double as the values), with
 * four scores:
 * - `additive` (Bahdanau): e[b,s] = v · tanh(W_q q[b] + W_k k[b,s]);   W_q [A, Hq], W_k [A, Hk], v [A]
 * - `general`  (Luong):    e[b,s] = q[b] · (W k[b,s]);                 W [Hq, Hk]
 * - `dot`      (Luong):    e[b,s] = q[b] · k[b,s]                       (Hq = Hk)
 * - `scaled_dot`:          e[b,s] = q[b] · k[b,s] / √Hk                 (Hq = Hk)
 * then weights = softmax_s(e) with source positions s >= lengths[b] masked to −∞ (weight exactly 0),
 * and context[b] = Σ_s weights[b,s] k[b,s]. Composed from the primitive ops, so its gradient is theirs.
 *
 * A decoder attends over the same keys at every step: {@link Attention.prepare} does the
 * per-source work once (the key projection W_k k, the mask) and {@link Attention.attend} the per-step
 * work; {@link Attention.forward} is both.
 */
import { DataError, fmtShape, OptionError, ShapeError } from '../errors.ts';
import { BaseModule } from '../module.ts';
import { tanh } from '../ops/activations.ts';
import { add, scale } from '../ops/arithmetic.ts';
import { linear } from '../ops/linear.ts';
import { lengthMask, maskedFill } from '../ops/mask.ts';
import { matmul } from '../ops/matmul.ts';
import { reshape } from '../ops/shape.ts';
import { softmax } from '../ops/softmax.ts';
import type { Rng } from '../rng.ts';
import type { Tape } from '../tape.ts';
import { Parameter, type Tensor } from '../tensor.ts';

/** The attention score functions (names as in the PyTorch fixtures). */
export type AttentionScore = 'additive' | 'general' | 'dot' | 'scaled_dot';

/** Options for {@link Attention}. */
export interface AttentionOptions {
  /** Score function. */
  score: AttentionScore;
  /** Query width Hq. */
  querySize: number;
  /** Key (and value) width Hk; must equal Hq for `dot` and `scaled_dot`. */
  keySize: number;
  /** Hidden width A of the additive score. Default `keySize`. Ignored by the other scores. */
  attnSize?: number;
  /** Source of the initial weights (needed by `additive` and `general`). */
  rng?: Rng;
}

/** Keys prepared for repeated {@link Attention.attend} calls. */
export interface AttentionMemory {
  /** `[B, S, Hk]`. */
  readonly keys: Tensor;
  /** `[B, S, A]` = keys · W_kᵀ for the additive score, else null. */
  readonly projected: Tensor | null;
  /** `[B, S]` row-major, 1 where s >= lengths[b]; null when every position is valid. */
  readonly mask: Uint8Array | null;
}

/** Result of attention: the context vector and the attention weights. */
export interface AttentionOutput {
  /** `[B, Hk]`. */
  context: Tensor;
  /** `[B, S]`; each row sums to 1, masked positions are 0. */
  weights: Tensor;
}

const SCORES: readonly AttentionScore[] = ['additive', 'general', 'dot', 'scaled_dot'];

/**
 * `Attention`: query `[B, Hq]` and keys `[B, S, Hk]` (+ optional lengths) -> context `[B, Hk]` and
 * weights `[B, S]`. Parameters: additive `W_q [A, Hq]`, `W_k [A, Hk]`, `v [A]`; general `W [Hq, Hk]`;
 * none for dot and scaled_dot. Each is initialised uniform(−1/√fan_in, 1/√fan_in) like a PyTorch Linear.
 */
export class Attention extends BaseModule {
  readonly score: AttentionScore;
  readonly querySize: number;
  readonly keySize: number;
  /** A for additive, 0 otherwise. */
  readonly attnSize: number;
  readonly W_q: Parameter | null = null;
  readonly W_k: Parameter | null = null;
  readonly v: Parameter | null = null;
  readonly W: Parameter | null = null;

  constructor(options: AttentionOptions) {
    super();
    const { score, querySize: hq, keySize: hk } = options;
    if (!SCORES.includes(score)) throw new OptionError('Attention score', SCORES.join(' | '), String(score));
    positive('querySize', hq);
    positive('keySize', hk);
    this.score = score;
    this.querySize = hq;
    this.keySize = hk;
    this.attnSize = 0;
    if ((score === 'dot' || score === 'scaled_dot') && hq !== hk) {
      throw new OptionError(
        `Attention keySize for the ${score} score`,
        `equal to querySize ${hq}`,
        String(hk),
      );
    }
    if (score === 'additive' || score === 'general') {
      const rng = options.rng;
      if (!rng) throw new OptionError(`Attention rng for the ${score} score`, 'an Rng', 'undefined');
      if (score === 'additive') {
        const a = options.attnSize ?? hk;
        positive('attnSize', a);
        this.attnSize = a;
        this.W_q = this.param('W_q', uniform([a, hq], hq, rng));
        this.W_k = this.param('W_k', uniform([a, hk], hk, rng));
        this.v = this.param('v', uniform([a], a, rng));
      } else {
        this.W = this.param('W', uniform([hq, hk], hk, rng));
      }
    }
  }

  /**
   * Per-source work: validates `keys [B, S, Hk]` and `lengths` (B integers in [1, S]), projects the
   * keys for the additive score and builds the padding mask.
   */
  prepare(tape: Tape, keys: Tensor, options: { lengths?: ArrayLike<number> } = {}): AttentionMemory {
    if (keys.rank !== 3 || keys.dim(2) !== this.keySize) {
      throw new ShapeError('Attention keys', `[B, S, ${this.keySize}]`, fmtShape(keys.shape));
    }
    const [b, s] = [keys.dim(0), keys.dim(1)];
    let mask: Uint8Array | null = null;
    const lengths = options.lengths;
    if (lengths !== undefined) {
      if (lengths.length !== b)
        throw new ShapeError('Attention lengths', `${b} entries (one per batch row)`, String(lengths.length));
      for (let i = 0; i < b; i++) {
        const len = lengths[i]!;
        if (!(Number.isInteger(len) && len >= 1 && len <= s)) {
          throw new DataError(`Attention lengths[${i}]`, `an integer in [1, ${s}]`, String(len));
        }
      }
      mask = lengthMask(lengths, s);
      if (!mask.includes(1)) mask = null;
    }
    const projected = this.W_k ? linear(tape, keys, this.W_k, null) : null; // [B, S, A]
    return { keys, projected, mask };
  }

  /** Per-step work: `query [B, Hq]` against prepared keys. */
  attend(tape: Tape, query: Tensor, memory: AttentionMemory): AttentionOutput {
    const { keys, projected, mask } = memory;
    const [b, s, hk] = [keys.dim(0), keys.dim(1), keys.dim(2)];
    if (query.rank !== 2 || query.dim(0) !== b || query.dim(1) !== this.querySize) {
      throw new ShapeError('Attention query', `[${b}, ${this.querySize}]`, fmtShape(query.shape));
    }
    let e: Tensor; // [B, S]
    if (this.score === 'additive') {
      const a = this.attnSize;
      const qp = reshape(tape, linear(tape, query, this.W_q!, null), [b, 1, a]); // [B, 1, A]
      const hidden = tanh(tape, add(tape, qp, projected!)); // [B, S, A]
      e = reshape(tape, matmul(tape, hidden, reshape(tape, this.v!, [a, 1])), [b, s]);
    } else {
      // general: q·(W k) = (qW)·k; dot and scaled_dot use q itself.
      const q = this.W ? matmul(tape, query, this.W) : query; // [B, Hk]
      e = reshape(tape, matmul(tape, keys, reshape(tape, q, [b, hk, 1])), [b, s]); // [B, S]
      if (this.score === 'scaled_dot') e = scale(tape, e, 1 / Math.sqrt(hk));
    }
    if (mask) e = maskedFill(tape, e, mask, Number.NEGATIVE_INFINITY);
    const weights = softmax(tape, e); // [B, S]
    const context = reshape(tape, matmul(tape, reshape(tape, weights, [b, 1, s]), keys), [b, hk]); // [B, Hk]
    return { context, weights };
  }

  /** `query [B, Hq]`, `keys [B, S, Hk]` -> `{ context [B, Hk], weights [B, S] }`. */
  forward(
    tape: Tape,
    query: Tensor,
    keys: Tensor,
    options: { lengths?: ArrayLike<number> } = {},
  ): AttentionOutput {
    return this.attend(tape, query, this.prepare(tape, keys, options));
  }
}

function positive(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new OptionError(`Attention ${name}`, 'a positive integer', String(v));
}

function uniform(shape: number[], fanIn: number, rng: Rng): Parameter {
  const p = Parameter.zeros(shape);
  const bound = 1 / Math.sqrt(fanIn);
  for (let i = 0; i < p.size; i++) p.data[i] = rng.range(-bound, bound);
  return p;
}

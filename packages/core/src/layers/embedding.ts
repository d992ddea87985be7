/**
 * A lookup table from token ids to vectors, with PyTorch's `nn.Embedding` name (`weight [num, dim]`),
 * initialisation N(0, 1) and `padding_idx` semantics.
 */
import { OptionError } from '../errors.ts';
import { BaseModule } from '../module.ts';
import { gatherRows } from '../ops/gather.ts';
import type { Rng } from '../rng.ts';
import type { Tape } from '../tape.ts';
import { Parameter, type Tensor } from '../tensor.ts';

/** Options for {@link Embedding}. */
export interface EmbeddingOptions {
  /** Number of rows (the vocabulary size). */
  numEmbeddings: number;
  /** Width of each vector. */
  embeddingDim: number;
  /**
   * Id of the padding token: its row starts at 0 and never receives gradient, so it stays 0.
   * Negative values count from the end, as in PyTorch. Default none.
   */
  paddingIdx?: number;
  /** Source of the initial weights. */
  rng: Rng;
}

/** `Embedding`: ids (any shape) -> `[...shape, dim]`. Parameter `weight [num, dim]`. */
export class Embedding extends BaseModule {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalised (non-negative) padding id, or null. */
  readonly paddingIdx: number | null;
  /** `[num, dim]`. */
  readonly weight: Parameter;

  constructor(options: EmbeddingOptions) {
    super();
    const { numEmbeddings: n, embeddingDim: d, rng } = options;
    if (!Number.isInteger(n) || n < 1)
      throw new OptionError('Embedding numEmbeddings', 'a positive integer', String(n));
    if (!Number.isInteger(d) || d < 1)
      throw new OptionError('Embedding embeddingDim', 'a positive integer', String(d));
    const p = options.paddingIdx;
    if (p !== undefined && !(Number.isInteger(p) && p >= -n && p < n)) {
      throw new OptionError('Embedding paddingIdx', `an integer in [${-n}, ${n - 1}]`, String(p));
    }
    this.numEmbeddings = n;
    this.embeddingDim = d;
    this.paddingIdx = p === undefined ? null : p < 0 ? p + n : p;
    this.weight = this.param('weight', Parameter.zeros([n, d]));
    for (let i = 0; i < this.weight.size; i++) this.weight.data[i] = rng.normal();
    if (this.paddingIdx !== null) this.weight.data.fill(0, this.paddingIdx * d, (this.paddingIdx + 1) * d);
  }

  /**
   * Looks up `ids` (flat, row-major) viewed with `shape` (default `[ids.length]`) -> `[...shape, dim]`.
   * An id outside `[0, numEmbeddings)` throws a DataError naming its position.
   */
  forward(tape: Tape, ids: ArrayLike<number>, shape: readonly number[] = [ids.length]): Tensor {
    return gatherRows(tape, this.weight, ids, {
      shape,
      ...(this.paddingIdx === null ? {} : { paddingIdx: this.paddingIdx }),
    });
  }
}

/**
 * A recurrent language model: token ids -> embedding -> stacked LSTM/GRU -> linear decoder -> next-token
 * logits, with optional dropout (embedding output, between layers, before the decoder) and optional
 * weight tying. The same shape as PyTorch's `word_language_model` example (`RNNModel`), including its
 * initialisation of the embedding and decoder: uniform(−0.1, 0.1) weights and a zero decoder bias.
 */
import {
  BaseModule,
  crossEntropy,
  Dropout,
  Embedding,
  GRU,
  LSTM,
  linear,
  Parameter,
  type RecurrentState,
  type Rng,
  ShapeError,
  type Tape,
  type Tensor,
} from '@recurrent/core';
import {
  type LanguageModelConfig,
  type ResolvedLanguageModelConfig,
  resolveLanguageModelConfig,
} from './config.ts';

/** Options for {@link LanguageModel}. */
export interface LanguageModelOptions {
  /**
   * Draws the initial weights and, while training, every dropout mask. Save its state with a checkpoint
   * (the training loop does when it is passed in `rngs`) and resuming stays exact.
   */
  rng: Rng;
}

/** A `[B, T]` block of input ids and the ids that follow each of them. */
export interface TokenBatch {
  /** Input ids `[B, T]`, row-major. */
  inputs: Int32Array;
  /** Next-token targets `[B, T]`, row-major (`ignoreIndex` -100 marks padding). */
  targets: Int32Array;
  /** Rows B. */
  batch: number;
  /** Time steps T. */
  steps: number;
}

const INIT_RANGE = 0.1;

/**
 * Parameters (PyTorch-style names): `embedding.weight [V, E]`; the recurrent stack's
 * `rnn.weight_ih_l{k}`, `rnn.weight_hh_l{k}`, `rnn.bias_ih_l{k}`, `rnn.bias_hh_l{k}`;
 * `decoder.weight [V, H]` (absent when tied: the embedding is used) and `decoder.bias [V]`.
 */
export class LanguageModel extends BaseModule {
  /** The resolved architecture. */
  readonly config: ResolvedLanguageModelConfig;
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU;
  /** `[V, H]`: the decoder's own weight, or the embedding's when tied. */
  readonly decoderWeight: Parameter;
  /** `[V]`. */
  readonly decoderBias: Parameter;
  private readonly drop: Dropout;

  constructor(config: LanguageModelConfig, options: LanguageModelOptions) {
    super();
    const c = resolveLanguageModelConfig(config);
    this.config = c;
    const { rng } = options;
    const V = c.vocabSize;
    this.embedding = this.child(
      'embedding',
      new Embedding({ numEmbeddings: V, embeddingDim: c.embeddingDim, rng }),
    );
    for (let i = 0; i < this.embedding.weight.size; i++)
      this.embedding.weight.data[i] = rng.range(-INIT_RANGE, INIT_RANGE);
    const rnnOptions = {
      inputSize: c.embeddingDim,
      hiddenSize: c.hiddenSize,
      numLayers: c.numLayers,
      dropout: c.numLayers > 1 ? c.dropout : 0,
      rng,
    };
    this.rnn = this.child('rnn', c.cell === 'lstm' ? new LSTM(rnnOptions) : new GRU(rnnOptions));
    // Registered after the recurrent stack so parameters come in PyTorch's order: embedding, rnn, decoder.
    const decoder = this.child(
      'decoder',
      new Decoder(V, c.hiddenSize, c.tieWeights ? this.embedding.weight : null, rng),
    );
    this.decoderWeight = decoder.weight;
    this.decoderBias = decoder.bias;
    this.drop = this.child('drop', new Dropout({ p: c.dropout, rng }));
  }

  /**
   * Runs `ids [B, T]` from `state` (omitted = zeros) -> `logits [B, T, V]` and the state after the last step
   * (`h`, and `c` for LSTM, `[L, B, H]`). Dropout applies in training mode only.
   */
  forward(
    tape: Tape,
    ids: Int32Array,
    batch: number,
    steps: number,
    state?: RecurrentState,
  ): { logits: Tensor; state: RecurrentState } {
    if (ids.length !== batch * steps) {
      throw new ShapeError(
        'LanguageModel ids',
        `${batch * steps} ids ([${batch}, ${steps}])`,
        `${ids.length}`,
      );
    }
    const emb = this.drop.forward(tape, this.embedding.forward(tape, ids, [batch, steps])); // [B, T, E]
    const r = this.rnn.forward(tape, emb, state === undefined ? {} : { state }); // [B, T, H]
    const h = this.drop.forward(tape, r.output);
    const logits = linear(tape, h, this.decoderWeight, this.decoderBias); // [B, T, V]
    return { logits, state: r.state };
  }

  /**
   * Mean cross-entropy (nats per predicted token) of `batch.targets` given `batch.inputs`, from `state`.
   * Returns the scalar loss and the state after the last step (detach it before carrying it on).
   */
  loss(tape: Tape, batch: TokenBatch, state?: RecurrentState): { loss: Tensor; state: RecurrentState } {
    const { logits, state: next } = this.forward(tape, batch.inputs, batch.batch, batch.steps, state);
    return { loss: crossEntropy(tape, logits, batch.targets), state: next };
  }

  /** A zero state for `batch` rows. */
  zeroState(batch: number): RecurrentState {
    return this.rnn.zeroState(batch);
  }
}

/** The output projection's parameters: `weight [V, H]` (unless shared with the embedding) and `bias [V]`. */
class Decoder extends BaseModule {
  readonly weight: Parameter;
  readonly bias: Parameter;

  constructor(vocab: number, hidden: number, tied: Parameter | null, rng: Rng) {
    super();
    if (tied === null) {
      this.weight = this.param('weight', Parameter.zeros([vocab, hidden]));
      for (let i = 0; i < this.weight.size; i++) this.weight.data[i] = rng.range(-INIT_RANGE, INIT_RANGE);
    } else {
      this.weight = tied;
    }
    this.bias = this.param('bias', Parameter.zeros([vocab]));
  }
}

import {
  Attention,
  type AttentionMemory,
  BaseModule,
  concat,
  Dropout,
  Embedding,
  Linear,
  type RecurrentLayer,
  type RecurrentState,
  type Rng,
  reshape,
  slice,
  type Tape,
  Tensor,
  tanh,
} from '@recurrent/core';
import type { Seq2SeqConfig } from './config.ts';
import { recurrentLayer } from './encoder.ts';

/** The decoder's recurrent state between steps. */
export interface DecoderState {
  /** The RNN state `[Ld, B, Hd]`, or null for zeros (before the first step with the `zero` bridge). */
  rnn: RecurrentState | null;
  /** The previous attentional hidden state h̃ `[B, Hd]` (input feeding), or null before the first step (zeros). */
  feed: Tensor | null;
}

/** What {@link Decoder.step} returns. */
export interface DecoderStepOutput {
  /** The attentional hidden state h̃ = tanh(W_c [context; h]) `[B, Hd]`, after dropout in training. */
  hidden: Tensor;
  /** The state after this step. */
  state: DecoderState;
  /** Attention weights over the source `[B, S]`; rows sum to 1, padded positions are 0. */
  weights: Tensor;
}

/**
 * Luong et al. (2015)'s attentional decoder, one step at a time:
 *
 *   x_t = [E y_{t−1}; h̃_{t−1}]  (input feeding; without it x_t = E y_{t−1})
 *   h_t = RNN(x_t, h_{t−1})     a_t = softmax(score(h_t, memory))  (masked)   c_t = Σ_s a_t[s] memory[s]
 *   h̃_t = tanh(W_c [c_t; h_t])  logits_t = W_o h̃_t + b_o
 *
 * For the `dot` scores the memory is first projected to Hd when its width differs (`memory.weight`).
 * Parameters: `embedding.weight [V, Et]`, `rnn.*`, `attention.*`, `memory.weight`, `combine.weight
 * [Hd, K + Hd]`, `output.weight [V, Hd]`, `output.bias [V]`.
 */
export class Decoder extends BaseModule {
  readonly embedding: Embedding;
  readonly rnn: RecurrentLayer;
  readonly attention: Attention;
  readonly output: Linear;
  private readonly memoryProjection: Linear | null = null;
  private readonly combine: Linear;
  private readonly drop: Dropout;
  private readonly config: Seq2SeqConfig;

  constructor(config: Seq2SeqConfig, vocabSize: number, padId: number, rng: Rng) {
    super();
    this.config = config;
    const Hd = config.decoderHidden;
    const memWidth = (config.bidirectional ? 2 : 1) * config.encoderHidden;
    this.embedding = this.child(
      'embedding',
      new Embedding({
        numEmbeddings: vocabSize,
        embeddingDim: config.targetEmbedding,
        paddingIdx: padId,
        rng,
      }),
    );
    this.rnn = this.child(
      'rnn',
      recurrentLayer(config.cell, {
        inputSize: config.targetEmbedding + (config.inputFeeding ? Hd : 0),
        hiddenSize: Hd,
        numLayers: config.decoderLayers,
        bidirectional: false,
        dropout: config.dropout,
        rng,
      }),
    );
    const dotLike = config.attention === 'dot' || config.attention === 'scaled_dot';
    let keySize = memWidth;
    if (dotLike && memWidth !== Hd) {
      this.memoryProjection = this.child(
        'memory',
        new Linear({ inFeatures: memWidth, outFeatures: Hd, bias: false, rng }),
      );
      keySize = Hd;
    }
    this.attention = this.child(
      'attention',
      new Attention({ score: config.attention, querySize: Hd, keySize, rng }),
    );
    this.combine = this.child(
      'combine',
      new Linear({ inFeatures: keySize + Hd, outFeatures: Hd, bias: false, rng }),
    );
    this.output = this.child('output', new Linear({ inFeatures: Hd, outFeatures: vocabSize, rng }));
    this.drop = this.child('dropout', new Dropout({ p: config.dropout, rng }));
  }

  /** Per-source work done once: the (projected) memory and its padding mask. `memory [B, S, D·He]`. */
  prepare(tape: Tape, memory: Tensor, lengths: Int32Array): AttentionMemory {
    const keys = this.memoryProjection ? this.memoryProjection.forward(tape, memory) : memory;
    return this.attention.prepare(tape, keys, { lengths });
  }

  /** Embeds target ids `[B]` (or `[B, T]` with `shape`) -> `[..., Et]`, with dropout in training. */
  embed(tape: Tape, ids: ArrayLike<number>, shape: readonly number[]): Tensor {
    return this.drop.forward(tape, this.embedding.forward(tape, ids, shape));
  }

  /** One step: the embedded previous token `emb [B, Et]` and the state -> h̃ `[B, Hd]`, new state, weights. */
  step(tape: Tape, emb: Tensor, state: DecoderState, memory: AttentionMemory): DecoderStepOutput {
    const B = emb.dim(0);
    const Hd = this.config.decoderHidden;
    let x = emb;
    if (this.config.inputFeeding) {
      const feed = state.feed ?? Tensor.zeros([B, Hd]);
      x = concat(tape, [emb, feed], 1); // [B, Et + Hd]
    }
    const r = this.rnn.forward(
      tape,
      reshape(tape, x, [B, 1, x.dim(1)]),
      state.rnn === null ? {} : { state: state.rnn },
    );
    const h = reshape(tape, r.output, [B, Hd]); // [B, Hd]
    const { context, weights } = this.attention.attend(tape, h, memory); // [B, K], [B, S]
    const hidden = this.drop.forward(
      tape,
      tanh(tape, this.combine.forward(tape, concat(tape, [context, h], 1))),
    );
    return { hidden, state: { rnn: r.state, feed: hidden }, weights };
  }

  /**
   * All T teacher-forced steps at once, for a decoder WITHOUT input feeding: the recurrent layer runs over
   * the embedded inputs `emb [B, T, Et]` in one call (one input-projection product, the fused per-step
   * cells, weight gradients as one product after the reverse sweep, instead of T one-step calls), then
   * each step's output attends over the memory, and the combination `tanh(W_c [c_t; h_t])` is one product
   * over all steps. The same values as T calls of {@link step} (up to the rounding of the batched
   * products); dropout masks are drawn once for the whole `[B, T, Hd]` instead of step by step.
   * Returns h̃ `[B, T, Hd]`.
   */
  sequence(tape: Tape, emb: Tensor, state: DecoderState, memory: AttentionMemory): Tensor {
    if (this.config.inputFeeding) {
      throw new Error('Decoder.sequence: input feeding makes every step wait for the previous one');
    }
    const B = emb.dim(0);
    const T = emb.dim(1);
    const Hd = this.config.decoderHidden;
    const r = this.rnn.forward(tape, emb, state.rnn === null ? {} : { state: state.rnn }); // [B, T, Hd]
    const contexts: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const h =
        T === 1
          ? reshape(tape, r.output, [B, Hd])
          : reshape(tape, slice(tape, r.output, 1, t, t + 1), [B, Hd]);
      const { context } = this.attention.attend(tape, h, memory); // [B, K]
      contexts.push(reshape(tape, context, [B, 1, context.dim(1)]));
    }
    const context = T === 1 ? contexts[0]! : concat(tape, contexts, 1); // [B, T, K]
    return this.drop.forward(
      tape,
      tanh(tape, this.combine.forward(tape, concat(tape, [context, r.output], 2))),
    );
  }

  /** h̃ `[..., Hd]` -> logits `[..., V]`. */
  logits(tape: Tape, hidden: Tensor): Tensor {
    return this.output.forward(tape, hidden);
  }
}

import {
  BaseModule,
  Dropout,
  Embedding,
  GRU,
  LSTM,
  type RecurrentLayer,
  type RecurrentState,
  type Rng,
  type Tape,
  type Tensor,
} from '@recurrent/core';
import type { Seq2SeqConfig } from './config.ts';

/** What {@link Encoder.forward} returns. */
export interface EncoderOutput {
  /** Top layer's output at every source position, `[B, S, D·He]`; 0 past each row's length. */
  memory: Tensor;
  /** Final state of every layer and direction, `[Le·D, B, He]` (PyTorch layout). */
  state: RecurrentState;
}

/** Builds the configured recurrent layer. */
export function recurrentLayer(
  cell: Seq2SeqConfig['cell'],
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    bidirectional: boolean;
    dropout: number;
    rng: Rng;
  },
): RecurrentLayer {
  return cell === 'lstm' ? new LSTM(options) : new GRU(options);
}

/**
 * The source encoder: `ids [B, S]` -> Embedding (padding row fixed at 0) -> dropout -> (bi)LSTM/GRU over
 * the padded batch with per-row lengths. Parameters: `embedding.weight`, `rnn.*` (PyTorch names).
 */
export class Encoder extends BaseModule {
  readonly embedding: Embedding;
  readonly rnn: RecurrentLayer;
  private readonly drop: Dropout;

  constructor(config: Seq2SeqConfig, vocabSize: number, padId: number, rng: Rng) {
    super();
    this.embedding = this.child(
      'embedding',
      new Embedding({
        numEmbeddings: vocabSize,
        embeddingDim: config.sourceEmbedding,
        paddingIdx: padId,
        rng,
      }),
    );
    this.rnn = this.child(
      'rnn',
      recurrentLayer(config.cell, {
        inputSize: config.sourceEmbedding,
        hiddenSize: config.encoderHidden,
        numLayers: config.encoderLayers,
        bidirectional: config.bidirectional,
        dropout: config.dropout,
        rng,
      }),
    );
    this.drop = this.child('dropout', new Dropout({ p: config.dropout, rng }));
  }

  /** `ids [B, S]` row-major (padding past `lengths[b]`) -> memory `[B, S, D·He]` and final states. */
  forward(tape: Tape, ids: Int32Array, batch: number, steps: number, lengths: Int32Array): EncoderOutput {
    const emb = this.drop.forward(tape, this.embedding.forward(tape, ids, [batch, steps])); // [B, S, E]
    const { output, state } = this.rnn.forward(tape, emb, { lengths });
    return { memory: output, state };
  }
}

/**
 * The recurrent sequence classifier:
 *
 *   ids [B, T] -> Embedding -> dropout -> [B, T, E] -> (bi)RNN encoder (padded-sequence semantics)
 *     -> [B, T, D·H] -> pooling over the valid steps -> [B, D·H] -> dropout -> Linear -> logits [B, C]
 *
 * Parameter names (the keys of the model file): `embedding.weight`, `encoder.weight_ih_l0` ... (PyTorch's
 * `nn.LSTM`/`nn.GRU`/`nn.RNN` names), `attention.W|bias|v` (attention pooling only), `output.weight|bias`.
 */
import {
  BaseModule,
  concat,
  crossEntropy,
  Dropout,
  Embedding,
  GRU,
  init,
  Linear,
  LSTM,
  type PaddedBatch,
  type RecurrentLayer,
  RNN,
  type Rng,
  reshape,
  ShapeError,
  slice,
  softmax,
  type Tape,
  type Tensor,
} from '@recurrent/core';
import { AttentionPooling } from './attention-pooling.ts';
import {
  resolveClassifierConfig,
  type SequenceClassifierConfig,
  type SequenceClassifierConfigInput,
} from './classifier-config.ts';
import { maxOverTime, meanOverTime } from './time-pooling.ts';
import { weightedCrossEntropy } from './weighted-cross-entropy.ts';

/** Options for building a {@link SequenceClassifier}. */
export interface SequenceClassifierOptions {
  /** Draws the initial weights; a fork of it draws the dropout masks. */
  rng: Rng;
}

/** Embedding -> (bi)RNN -> pooling -> dropout -> linear; see the module comment. */
export class SequenceClassifier extends BaseModule {
  /** The resolved architecture (every default filled in). */
  readonly config: SequenceClassifierConfig;
  readonly embedding: Embedding;
  readonly encoder: RecurrentLayer;
  /** Present with `pooling: 'attention'`. */
  readonly attention: AttentionPooling | null;
  readonly output: Linear;
  private readonly embeddingDropout: Dropout;
  private readonly pooledDropout: Dropout;

  constructor(config: SequenceClassifierConfigInput, options: SequenceClassifierOptions) {
    super();
    const c = resolveClassifierConfig(config);
    this.config = c;
    const { rng } = options;
    this.embedding = this.child(
      'embedding',
      new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, paddingIdx: c.padId, rng }),
    );
    const rnnOptions = {
      inputSize: c.embeddingDim,
      hiddenSize: c.hiddenSize,
      numLayers: c.numLayers,
      bidirectional: c.bidirectional,
      dropout: c.numLayers > 1 ? c.dropout : 0,
      rng,
    };
    const encoder =
      c.cell === 'lstm' ? new LSTM(rnnOptions) : c.cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions);
    // A forget-gate bias of 1 lets early gradients reach the start of a sentence (Jozefowicz et al. 2015).
    if (c.cell === 'lstm') init.initLstmForgetBias(encoder.parameters());
    this.encoder = this.child('encoder', encoder);
    const width = encoder.outputSize;
    this.attention =
      c.pooling === 'attention'
        ? this.child(
            'attention',
            new AttentionPooling({ inputSize: width, attentionSize: c.attentionSize, rng }),
          )
        : null;
    this.output = this.child('output', new Linear({ inFeatures: width, outFeatures: c.numClasses, rng }));
    const dropRng = rng.fork();
    this.embeddingDropout = new Dropout({ p: c.embeddingDropout, rng: dropRng });
    this.pooledDropout = new Dropout({ p: c.dropout, rng: dropRng });
  }

  override train(on: boolean): void {
    super.train(on);
    this.embeddingDropout.train(on);
    this.pooledDropout.train(on);
  }

  /** Width of the pooled sequence vector, D·H. */
  get pooledSize(): number {
    return this.encoder.outputSize;
  }

  /**
   * The pooled sequence vectors of a padded batch (`ids [B·T]` row-major, `lengths [B]` each in [1, T]) ->
   * `[B, D·H]`, before the output dropout.
   */
  encode(tape: Tape, batch: PaddedBatch): Tensor {
    const { ids, lengths, batch: b, steps: t } = batch;
    if (ids.length !== b * t || lengths.length !== b) {
      throw new ShapeError(
        'SequenceClassifier batch',
        `${b * t} ids and ${b} lengths`,
        `${ids.length} ids and ${lengths.length} lengths`,
      );
    }
    const emb = this.embeddingDropout.forward(tape, this.embedding.forward(tape, ids, [b, t])); // [B, T, E]
    const { output, state } = this.encoder.forward(tape, emb, { lengths }); // [B, T, D·H]
    switch (this.config.pooling) {
      case 'max':
        return maxOverTime(tape, output, lengths);
      case 'mean':
        return meanOverTime(tape, output, lengths);
      case 'attention':
        return this.attention!.forward(tape, output, lengths).pooled;
      case 'last':
        return this.lastState(tape, state.h, b);
    }
  }

  /** Logits `[B, C]` of a padded batch (see {@link encode}). */
  forward(tape: Tape, batch: PaddedBatch): Tensor {
    return this.output.forward(tape, this.pooledDropout.forward(tape, this.encode(tape, batch)));
  }

  /**
   * Mean loss of a batch against class ids `targets [B]`. With `classWeights [C]` each example counts
   * `classWeights[y]` times and the sum is divided by the total weight, as PyTorch's weighted
   * `cross_entropy`.
   */
  loss(tape: Tape, batch: PaddedBatch, targets: ArrayLike<number>, classWeights?: ArrayLike<number>): Tensor {
    const logits = this.forward(tape, batch);
    return classWeights === undefined
      ? crossEntropy(tape, logits, targets)
      : weightedCrossEntropy(tape, logits, targets, classWeights);
  }

  /** Class probabilities `[B, C]` of a batch, without recording (call `train(false)` first for eval). */
  probabilities(tape: Tape, batch: PaddedBatch): Tensor {
    return softmax(tape, this.forward(tape, batch));
  }

  /** The top layer's final states `[L·D, B, H]` -> `[B, D·H]` ([forward | reverse]). */
  private lastState(tape: Tape, h: Tensor, b: number): Tensor {
    const { numLayers, hiddenSize } = this.config;
    const d = this.encoder.directions;
    const parts: Tensor[] = [];
    for (let dir = 0; dir < d; dir++) {
      const i = (numLayers - 1) * d + dir;
      parts.push(reshape(tape, slice(tape, h, 0, i, i + 1), [b, hiddenSize]));
    }
    return parts.length === 1 ? parts[0]! : concat(tape, parts, 1);
  }
}

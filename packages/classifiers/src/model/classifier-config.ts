import { OptionError } from '@recurrent/core';

/** The recurrent cell of the encoder. */
export type EncoderCell = 'lstm' | 'gru' | 'rnn';

/**
 * How the encoder's per-step outputs become one vector per sequence:
 * - `last`: the final hidden state of the top layer (for a bidirectional encoder, the forward direction's
 *   state at the last valid step joined with the reverse direction's state at step 0);
 * - `mean` / `max`: element-wise mean / maximum over the valid steps;
 * - `attention`: a learned softmax-weighted sum over the valid steps (see `AttentionPooling`).
 */
export type Pooling = 'last' | 'mean' | 'max' | 'attention';

/**
 * The architecture of a {@link SequenceClassifier}: embedding -> (bi)RNN encoder -> pooling -> dropout ->
 * linear. Saved as JSON in the model file, so it holds only plain data.
 */
export interface SequenceClassifierConfig {
  /** Rows of the embedding table V (the tokenizer's vocabulary size). */
  vocabSize: number;
  /** Classes C (2 for binary tasks: the output layer always has C logits). */
  numClasses: number;
  /** Id of the padding token: its embedding row stays 0 and receives no gradient. */
  padId: number;
  /** Embedding width E. Default 96. */
  embeddingDim: number;
  /** Hidden width H of each encoder direction. Default 64. */
  hiddenSize: number;
  /** Encoder cell. Default `lstm`. */
  cell: EncoderCell;
  /** Stacked encoder layers. Default 1. */
  numLayers: number;
  /** Run the encoder in both directions (pooled vectors are then 2H wide). Default true. */
  bidirectional: boolean;
  /** Pooling over time. Default `max`. */
  pooling: Pooling;
  /** Width of the attention-pooling scorer (used by `attention` only). Default 64. */
  attentionSize: number;
  /** Dropout on the embedded tokens, in [0, 1). Default 0.25. */
  embeddingDropout: number;
  /** Dropout on the pooled vector (and between stacked layers), in [0, 1). Default 0.4. */
  dropout: number;
}

/** What a caller must give: the sizes; every other field has a documented default. */
export type SequenceClassifierConfigInput = Pick<
  SequenceClassifierConfig,
  'vocabSize' | 'numClasses' | 'padId'
> &
  Partial<SequenceClassifierConfig>;

/** The defaults of the optional fields of {@link SequenceClassifierConfig}. */
export const classifierConfigDefaults = {
  embeddingDim: 96,
  hiddenSize: 64,
  cell: 'lstm',
  numLayers: 1,
  bidirectional: true,
  pooling: 'max',
  attentionSize: 64,
  embeddingDropout: 0.25,
  dropout: 0.4,
} as const satisfies Omit<SequenceClassifierConfig, 'vocabSize' | 'numClasses' | 'padId'>;

const CELLS: readonly EncoderCell[] = ['lstm', 'gru', 'rnn'];
const POOLINGS: readonly Pooling[] = ['last', 'mean', 'max', 'attention'];

/**
 * Merges `input` over {@link classifierConfigDefaults} and validates every field.
 * @throws OptionError naming the first invalid field.
 */
export function resolveClassifierConfig(input: SequenceClassifierConfigInput): SequenceClassifierConfig {
  if (typeof input !== 'object' || input === null) {
    throw new OptionError('classifier config', 'an object', String(input));
  }
  const known = new Set<string>([
    'vocabSize',
    'numClasses',
    'padId',
    ...Object.keys(classifierConfigDefaults),
  ]);
  for (const k of Object.keys(input)) {
    if (!known.has(k))
      throw new OptionError('classifier config', `keys among ${[...known].join(', ')}`, `"${k}"`);
  }
  const c: SequenceClassifierConfig = { ...classifierConfigDefaults, ...stripUndefined(input) };
  positiveInt('vocabSize', c.vocabSize, 1);
  positiveInt('numClasses', c.numClasses, 2);
  if (!(Number.isInteger(c.padId) && c.padId >= 0 && c.padId < c.vocabSize)) {
    throw new OptionError('classifier config padId', `an integer in [0, ${c.vocabSize})`, String(c.padId));
  }
  positiveInt('embeddingDim', c.embeddingDim, 1);
  positiveInt('hiddenSize', c.hiddenSize, 1);
  positiveInt('numLayers', c.numLayers, 1);
  positiveInt('attentionSize', c.attentionSize, 1);
  if (!CELLS.includes(c.cell))
    throw new OptionError('classifier config cell', CELLS.join(' | '), String(c.cell));
  if (!POOLINGS.includes(c.pooling)) {
    throw new OptionError('classifier config pooling', POOLINGS.join(' | '), String(c.pooling));
  }
  if (typeof c.bidirectional !== 'boolean') {
    throw new OptionError('classifier config bidirectional', 'a boolean', String(c.bidirectional));
  }
  for (const k of ['embeddingDropout', 'dropout'] as const) {
    const p = c[k];
    if (!(typeof p === 'number' && p >= 0 && p < 1)) {
      throw new OptionError(`classifier config ${k}`, 'a probability in [0, 1)', String(p));
    }
  }
  return c;
}

function positiveInt(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new OptionError(`classifier config ${name}`, `an integer >= ${min}`, String(v));
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

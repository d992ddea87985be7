import { type AttentionScore, OptionError } from '@recurrent/core';

/** Recurrent cell of the encoder and decoder. */
export type Seq2SeqCell = 'lstm' | 'gru';

/**
 * How the encoder's final states become the decoder's initial states:
 * - `linear`: per layer, the directions are concatenated and mapped by Linear + tanh (one map for `h`,
 *   one for the LSTM cell `c`), so any encoder and decoder widths fit;
 * - `sum`: the directions are summed (needs encoder hidden = decoder hidden);
 * - `zero`: the decoder starts from zeros.
 */
export type Seq2SeqBridge = 'linear' | 'sum' | 'zero';

/** The architecture of a {@link Seq2Seq} model; stored in its model file. */
export interface Seq2SeqConfig {
  /** Cell of both RNNs. Default `lstm`. */
  cell: Seq2SeqCell;
  /** Source embedding width. Default 128. */
  sourceEmbedding: number;
  /** Target embedding width. Default 128. */
  targetEmbedding: number;
  /** Encoder hidden size per direction. Default 128. */
  encoderHidden: number;
  /** Encoder layers. Default 1. */
  encoderLayers: number;
  /** Whether the encoder reads both ways. Default true. */
  bidirectional: boolean;
  /** Decoder hidden size (also the width of the attentional hidden state h̃). Default 256. */
  decoderHidden: number;
  /** Decoder layers. Default 1. */
  decoderLayers: number;
  /** Attention score. Default `general`. */
  attention: AttentionScore;
  /** Luong's input feeding: the previous h̃ is concatenated to the next input embedding. Default true. */
  inputFeeding: boolean;
  /** Bridge from encoder final states to decoder initial states. Default `linear`. */
  bridge: Seq2SeqBridge;
  /** Dropout on embeddings, between RNN layers and on h̃, in training. Default 0.2. */
  dropout: number;
}

/** The defaults of {@link Seq2SeqConfig}. */
export const DEFAULT_SEQ2SEQ_CONFIG: Readonly<Seq2SeqConfig> = Object.freeze({
  cell: 'lstm',
  sourceEmbedding: 128,
  targetEmbedding: 128,
  encoderHidden: 128,
  encoderLayers: 1,
  bidirectional: true,
  decoderHidden: 256,
  decoderLayers: 1,
  attention: 'general',
  inputFeeding: true,
  bridge: 'linear',
  dropout: 0.2,
});

const SCORES = ['additive', 'general', 'dot', 'scaled_dot'];

/** Merges `options` over the defaults and validates every field. @throws OptionError naming the field. */
export function resolveSeq2SeqConfig(options: Partial<Seq2SeqConfig> = {}): Seq2SeqConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const c = { ...DEFAULT_SEQ2SEQ_CONFIG, ...defined } as Seq2SeqConfig;
  for (const k of [
    'sourceEmbedding',
    'targetEmbedding',
    'encoderHidden',
    'encoderLayers',
    'decoderHidden',
    'decoderLayers',
  ] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 1)
      throw new OptionError(`seq2seq config ${k}`, 'a positive integer', String(v));
  }
  if (c.cell !== 'lstm' && c.cell !== 'gru')
    throw new OptionError('seq2seq config cell', 'lstm | gru', String(c.cell));
  if (!SCORES.includes(c.attention)) {
    throw new OptionError('seq2seq config attention', SCORES.join(' | '), String(c.attention));
  }
  if (!['linear', 'sum', 'zero'].includes(c.bridge)) {
    throw new OptionError('seq2seq config bridge', 'linear | sum | zero', String(c.bridge));
  }
  if (c.bridge === 'sum' && c.encoderHidden !== c.decoderHidden) {
    throw new OptionError(
      'seq2seq config bridge "sum"',
      `encoderHidden equal to decoderHidden (${c.decoderHidden})`,
      String(c.encoderHidden),
    );
  }
  if (typeof c.bidirectional !== 'boolean') {
    throw new OptionError('seq2seq config bidirectional', 'a boolean', String(c.bidirectional));
  }
  if (typeof c.inputFeeding !== 'boolean') {
    throw new OptionError('seq2seq config inputFeeding', 'a boolean', String(c.inputFeeding));
  }
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) {
    throw new OptionError('seq2seq config dropout', 'a probability in [0, 1)', String(c.dropout));
  }
  return c;
}

import { OptionError } from '@recurrent/core';

/** The recurrent cell of a language model. */
export type LanguageModelCell = 'lstm' | 'gru';

/** Architecture of a {@link LanguageModel}; stored as JSON in the model file. */
export interface LanguageModelConfig {
  /** Tokens in the vocabulary, V (the tokenizer's `vocabSize`). */
  vocabSize: number;
  /** Recurrent cell (default `lstm`). */
  cell?: LanguageModelCell;
  /** Width of the token embedding, E (default 64; must equal `hiddenSize` with `tieWeights`). */
  embeddingDim?: number;
  /** Hidden size of each recurrent layer, H (default 256). */
  hiddenSize?: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Dropout on the embedding output, between layers and before the decoder, in [0, 1) (default 0). */
  dropout?: number;
  /**
   * Share the embedding matrix with the output layer (Press & Wolf 2017; Inan et al. 2017): fewer
   * parameters and usually a better word-level model. Needs `embeddingDim === hiddenSize` (default false).
   */
  tieWeights?: boolean;
}

/** A {@link LanguageModelConfig} with every default filled in. */
export type ResolvedLanguageModelConfig = Required<LanguageModelConfig>;

/** The defaults of {@link LanguageModelConfig} (every field but `vocabSize`). */
export const DEFAULT_LANGUAGE_MODEL_CONFIG: Readonly<Omit<ResolvedLanguageModelConfig, 'vocabSize'>> =
  Object.freeze({
    cell: 'lstm',
    embeddingDim: 64,
    hiddenSize: 256,
    numLayers: 1,
    dropout: 0,
    tieWeights: false,
  });

/** Merges `config` over the defaults and validates it; throws an OptionError naming the bad field. */
export function resolveLanguageModelConfig(config: LanguageModelConfig): ResolvedLanguageModelConfig {
  if (typeof config !== 'object' || config === null) {
    throw new OptionError('language model config', 'an object', String(config));
  }
  const c: ResolvedLanguageModelConfig = { ...DEFAULT_LANGUAGE_MODEL_CONFIG, vocabSize: config.vocabSize };
  for (const [k, v] of Object.entries(config)) {
    if (!(k in c)) {
      throw new OptionError('language model config', `keys among ${Object.keys(c).join(', ')}`, `"${k}"`);
    }
    if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  }
  for (const k of ['vocabSize', 'embeddingDim', 'hiddenSize', 'numLayers'] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 1)
      throw new OptionError(`language model ${k}`, 'an integer >= 1', String(v));
  }
  if (c.cell !== 'lstm' && c.cell !== 'gru') {
    throw new OptionError('language model cell', "'lstm' or 'gru'", JSON.stringify(c.cell));
  }
  if (!(typeof c.dropout === 'number' && c.dropout >= 0 && c.dropout < 1)) {
    throw new OptionError('language model dropout', 'a number in [0, 1)', String(c.dropout));
  }
  if (typeof c.tieWeights !== 'boolean') {
    throw new OptionError('language model tieWeights', 'a boolean', String(c.tieWeights));
  }
  if (c.tieWeights && c.embeddingDim !== c.hiddenSize) {
    throw new OptionError(
      'language model tieWeights',
      `embeddingDim equal to hiddenSize (${c.hiddenSize})`,
      `embeddingDim ${c.embeddingDim}`,
    );
  }
  return c;
}

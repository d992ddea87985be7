import type { TrainLanguageModelOptions } from '../../src/index.ts';
import { charCodec, sampleText } from './char-codec.ts';

const text = sampleText(3000);

/** The run the kill-and-resume test interrupts: 2-layer LSTM with dropout, so every RNG must resume. */
export const KILL_RUN = {
  text,
  validText: sampleText(400),
  tokenizer: charCodec(text),
  model: { hiddenSize: 24, embeddingDim: 8, numLayers: 2, dropout: 0.2 },
  seed: 3,
  batchSize: 4,
  seqLen: 12,
  lr: 0.01,
  maxSteps: 120,
  validEvery: 25,
} satisfies TrainLanguageModelOptions;

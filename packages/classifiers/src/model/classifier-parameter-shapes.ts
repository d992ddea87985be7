/**
 * The parameter shapes a {@link SequenceClassifierConfig} implies, computed without allocating anything,
 * so the loader can compare a file's tensors with its config BEFORE building the model (a file whose
 * config declares a huge model fails on the mismatch instead of allocating it).
 */
import { recurrentParameterShapes } from '@recurrent/core';
import type { SequenceClassifierConfig } from './classifier-config.ts';

const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;

/**
 * Parameter name -> shape of a {@link SequenceClassifier} with the resolved `config`, in `parameters()`
 * order: `embedding.weight [V, E]`, `encoder.*` (PyTorch RNN names), `attention.W [A, D·H]`,
 * `attention.bias [A]`, `attention.v [A]` (attention pooling only), `output.weight [C, D·H]`,
 * `output.bias [C]`. Lazy.
 */
export function* classifierParameterShapes(config: SequenceClassifierConfig): Generator<[string, number[]]> {
  const width = (config.bidirectional ? 2 : 1) * config.hiddenSize; // pooled width D·H
  yield ['embedding.weight', [config.vocabSize, config.embeddingDim]];
  yield* recurrentParameterShapes('encoder.', {
    gates: GATES[config.cell],
    inputSize: config.embeddingDim,
    hiddenSize: config.hiddenSize,
    numLayers: config.numLayers,
    bidirectional: config.bidirectional,
  });
  if (config.pooling === 'attention') {
    const a = config.attentionSize;
    yield ['attention.W', [a, width]];
    yield ['attention.bias', [a]];
    yield ['attention.v', [a]];
  }
  yield ['output.weight', [config.numClasses, width]];
  yield ['output.bias', [config.numClasses]];
}

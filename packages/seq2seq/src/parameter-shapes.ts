/**
 * The parameter shapes a {@link Seq2SeqConfig} and the two vocabulary sizes imply, computed without
 * allocating anything, so the loader can compare a file's tensors with its config BEFORE building the
 * model (a file whose config declares a huge model fails on the mismatch instead of allocating it).
 */
import { recurrentParameterShapes } from '@recurrent/core';
import type { Seq2SeqConfig } from './config.ts';

const GATES = { lstm: 4, gru: 3 } as const;

/**
 * Parameter name -> shape of a {@link Seq2Seq} with the resolved `config`, in `parameters()` order
 * (`encoder.*`, `bridge.*`, `decoder.*`; see {@link Encoder}, {@link Bridge}, {@link Decoder}). Lazy.
 */
export function* seq2seqParameterShapes(
  config: Seq2SeqConfig,
  sourceVocabSize: number,
  targetVocabSize: number,
): Generator<[string, number[]]> {
  const G = GATES[config.cell];
  const He = config.encoderHidden;
  const Hd = config.decoderHidden;
  const memWidth = (config.bidirectional ? 2 : 1) * He; // encoder output width D·He
  yield ['encoder.embedding.weight', [sourceVocabSize, config.sourceEmbedding]];
  yield* recurrentParameterShapes('encoder.rnn.', {
    gates: G,
    inputSize: config.sourceEmbedding,
    hiddenSize: He,
    numLayers: config.encoderLayers,
    bidirectional: config.bidirectional,
  });
  if (config.bridge === 'linear') {
    yield ['bridge.h.weight', [Hd, memWidth]];
    yield ['bridge.h.bias', [Hd]];
    if (config.cell === 'lstm') {
      yield ['bridge.c.weight', [Hd, memWidth]];
      yield ['bridge.c.bias', [Hd]];
    }
  }
  yield ['decoder.embedding.weight', [targetVocabSize, config.targetEmbedding]];
  yield* recurrentParameterShapes('decoder.rnn.', {
    gates: G,
    inputSize: config.targetEmbedding + (config.inputFeeding ? Hd : 0),
    hiddenSize: Hd,
    numLayers: config.decoderLayers,
  });
  // The dot scores compare h with the memory directly, so a memory of another width is projected first.
  let keySize = memWidth;
  if ((config.attention === 'dot' || config.attention === 'scaled_dot') && memWidth !== Hd) {
    yield ['decoder.memory.weight', [Hd, memWidth]];
    keySize = Hd;
  }
  if (config.attention === 'additive') {
    // The decoder leaves the attention width at its default, the key size.
    yield ['decoder.attention.W_q', [keySize, Hd]];
    yield ['decoder.attention.W_k', [keySize, keySize]];
    yield ['decoder.attention.v', [keySize]];
  } else if (config.attention === 'general') {
    yield ['decoder.attention.W', [Hd, keySize]];
  }
  yield ['decoder.combine.weight', [Hd, keySize + Hd]];
  yield ['decoder.output.weight', [targetVocabSize, Hd]];
  yield ['decoder.output.bias', [targetVocabSize]];
}

import { Rng } from '@recurrent/core';
import { describe, expect, it } from 'vitest';
import { evaluateText, LanguageModel, trainLanguageModel } from '../src/index.ts';
import { charCodec, sampleText } from './helpers/char-codec.ts';

const text = sampleText(200);
const tokenizer = charCodec(text);

/** The whole 200-character text is one batch (B = 1, T = 199), so the training loss is the loss on the text. */
const run = (seed: number) =>
  trainLanguageModel({
    text,
    tokenizer,
    model: { cell: 'lstm', hiddenSize: 48, embeddingDim: 16 },
    seed,
    batchSize: 1,
    seqLen: 199,
    lr: 0.02,
    maxSteps: 120,
  });

const bits = (m: { parameters(): Iterable<[string, { data: Float32Array }]> }) =>
  [...m.parameters()].map(([n, p]) => [
    n,
    Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('hex'),
  ]);

describe('a seeded small LSTM language model', () => {
  it('overfits a 200-character text to loss < 0.05, and the same seed gives bit-identical weights', async () => {
    const a = await run(11);
    const b = await run(11);
    expect(a.result.losses[0]).toBeGreaterThan(2); // ~ln(vocab) at the start: there was something to learn
    expect(a.result.losses.at(-1)).toBeLessThan(0.05);
    expect(evaluateText(a.model, tokenizer, text, { streams: 1 }).crossEntropy).toBeLessThan(0.05);
    expect(bits(a.model)).toEqual(bits(b.model));
    expect(a.result.losses).toEqual(b.result.losses);
    const other = new LanguageModel(
      { vocabSize: tokenizer.vocabSize, hiddenSize: 48, embeddingDim: 16 },
      { rng: new Rng(12) },
    );
    const fresh = new LanguageModel(
      { vocabSize: tokenizer.vocabSize, hiddenSize: 48, embeddingDim: 16 },
      { rng: new Rng(11) },
    );
    expect(bits(other)).not.toEqual(bits(fresh));
  });
});

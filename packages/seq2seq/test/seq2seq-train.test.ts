import { Tape } from '@recurrent/core';
import { describe, expect, it } from 'vitest';
import { decode, type Seq2Seq, trainSeq2Seq, translate } from '../src/index.ts';
import { examples, reversalPairs, tinyModel } from './helpers.ts';

async function trainReversal(model: Seq2Seq, steps: number): Promise<number> {
  const train = examples(model, reversalPairs(1500, 1, 5));
  await trainSeq2Seq(model, { train, batchSize: 32, lr: 0.01, labelSmoothing: 0, maxSteps: steps });
  const test = reversalPairs(100, 2, 5);
  const hyps = translate(
    model,
    test.map((p) => p[0]),
  );
  return hyps.filter((h, i) => h.text === test[i]![1]).length / test.length;
}

describe('seq2seq training on synthetic tasks', () => {
  it('learns to reverse short strings (LSTM, bi-encoder, general attention, input feeding)', async () => {
    const model = tinyModel({ encoderHidden: 24, decoderHidden: 48 });
    expect(await trainReversal(model, 150)).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('learns to reverse with a GRU and additive attention', async () => {
    const model = tinyModel({ cell: 'gru', attention: 'additive', encoderHidden: 24, decoderHidden: 48 });
    // Chance is about 8^-4; the GRU/additive pair learns more slowly in the same 150 steps.
    expect(await trainReversal(model, 150)).toBeGreaterThanOrEqual(0.7);
  }, 60_000);

  it('trains with dot attention, no input feeding, a zero bridge and scheduled sampling', async () => {
    const model = tinyModel({ attention: 'dot', inputFeeding: false, bridge: 'zero', dropout: 0.1 });
    const train = examples(model, reversalPairs(200, 3, 5));
    const tape = new Tape();
    const before = model.loss(Tape.noGrad(), train.slice(0, 64)).loss.data[0]!;
    await trainSeq2Seq(model, { train, batchSize: 32, lr: 0.01, teacherForcing: 0.5, maxSteps: 30 });
    model.train(false);
    const after = model.loss(tape, train.slice(0, 64)).loss.data[0]!;
    expect(after).toBeLessThan(before);
  }, 60_000);

  it('beam search scores at least what greedy does (model log-probability), and keeps n-best ordered', async () => {
    const model = tinyModel({ bridge: 'sum', encoderHidden: 32, decoderHidden: 32 }, 7);
    const train = examples(model, reversalPairs(400, 5, 6));
    await trainSeq2Seq(model, { train, batchSize: 32, lr: 0.01, maxSteps: 25 });
    const sources = examples(model, reversalPairs(60, 6, 6)).map((e) => e.source);
    const greedy = decode(model, sources, { beamSize: 1, maxLength: 12 });
    const beam = decode(model, sources, { beamSize: 5, nBest: 3, maxLength: 12 });
    let worse = 0;
    let gSum = 0;
    let bSum = 0;
    sources.forEach((_, i) => {
      const g = greedy[i]![0]!.logProb;
      const b = beam[i]![0]!.logProb;
      gSum += g;
      bSum += b;
      if (b < g - 1e-6) worse++;
      const scores = beam[i]!.map((h) => h.score);
      expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    });
    expect(bSum).toBeGreaterThanOrEqual(gSum);
    expect(worse).toBeLessThanOrEqual(Math.ceil(0.05 * sources.length));
  }, 60_000);
});

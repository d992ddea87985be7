import { FormatError, OptionError, Tape } from '@recurrent/core';
import { beamSearch } from '@recurrent/samplers';
import { describe, expect, it } from 'vitest';
import {
  attentionHeatmapSvg,
  decode,
  decodeSeq2Seq,
  encodeSeq2Seq,
  evaluateSeq2Seq,
  groupPairs,
  hypothesisHeatmap,
  resolveSeq2SeqConfig,
  seq2seqStepModel,
  trainSeq2Seq,
} from '../src/index.ts';
import { examples, reversalPairs, tinyModel } from './helpers.ts';

describe('attention weights', () => {
  it('rows sum to 1 and padded source positions get exactly 0', () => {
    const model = tinyModel({ attention: 'additive' });
    model.train(false);
    const tape = Tape.noGrad();
    const sources = ['abc', 'abcdefgh', 'h', 'bbbbb'].map((s) => model.encodeSource(s));
    const enc = model.encode(tape, sources);
    const out = model.decoder.step(
      tape,
      model.decoder.embed(tape, [model.bos, 4, 5, 6], [4]),
      enc.state,
      enc.memory,
    );
    const S = out.weights.dim(1);
    expect(S).toBe(8);
    sources.forEach((src, b) => {
      let sum = 0;
      for (let s = 0; s < S; s++) {
        const w = out.weights.data[b * S + s]!;
        if (s >= src.length) expect(w).toBe(0);
        else expect(w).toBeGreaterThan(0);
        sum += w;
      }
      expect(sum).toBeCloseTo(1, 5);
    });
  });

  it('every decoded token carries an attention row over its own source length', () => {
    const model = tinyModel();
    const sources = ['ab', 'abcdefg'].map((s) => model.encodeSource(s));
    const [a, b] = decode(model, sources, { beamSize: 3, maxLength: 6 });
    for (const [hyps, len] of [
      [a!, 2],
      [b!, 7],
    ] as const) {
      const h = hyps[0]!;
      expect(h.attention.length).toBe(h.tokens.length);
      for (const row of h.attention) {
        expect(row.length).toBe(len);
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
      }
    }
  });
});

describe('teacher forcing without input feeding', () => {
  it('the whole-sequence decoder gives the loss and gradients of the step-by-step one', () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const model = tinyModel({ inputFeeding: false, cell, decoderLayers: 2 }, 4);
      model.train(false);
      const batch = examples(model, reversalPairs(6, 11, 7));
      const run = (teacherForcing: number) => {
        const tape = new Tape();
        const { loss } = model.loss(tape, batch, { teacherForcing, labelSmoothing: 0.1 });
        tape.backward(loss);
        const grads = new Map([...model.parameters()].map(([n, p]) => [n, Float32Array.from(p.grad!)]));
        for (const [, p] of model.parameters()) p.grad!.fill(0);
        return { loss: loss.data[0]!, grads };
      };
      const whole = run(1);
      // A ratio a hair below 1 takes the step-by-step (scheduled-sampling) path, yet always feeds the reference.
      const steps = run(1 - 1e-12);
      expect(whole.loss).toBeCloseTo(steps.loss, 5);
      for (const [name, g] of whole.grads) {
        const h = steps.grads.get(name)!;
        let worst = 0;
        for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - h[i]!));
        expect(worst, `${cell} ${name}`).toBeLessThan(1e-5);
      }
      expect([...whole.grads.values()].some((g) => g.some((v) => v !== 0))).toBe(true);
    }
  });
});

describe('decoding', () => {
  it('batched beam search equals samplers beamSearch on the StepModel adapter, sentence by sentence', async () => {
    const model = tinyModel({}, 3);
    await trainSeq2Seq(model, {
      train: examples(model, reversalPairs(200, 9, 5)),
      batchSize: 32,
      lr: 0.01,
      maxSteps: 10,
    });
    const sources = examples(model, reversalPairs(12, 10, 6)).map((e) => e.source);
    const options = {
      beamSize: 4,
      maxLength: 9,
      lengthPenalty: 0.6,
      nBest: 2,
      noRepeatNgramSize: 3,
      minLength: 1,
    };
    const batched = decode(model, sources, { ...options, batchSize: 5 });
    sources.forEach((src, i) => {
      const single = beamSearch(seq2seqStepModel(model, src), [model.bos], { ...options, eosId: model.eos });
      expect(batched[i]!.length).toBe(single.length);
      single.forEach((h, k) => {
        expect(Array.from(batched[i]![k]!.tokens)).toEqual(Array.from(h.tokens));
        expect(batched[i]![k]!.logProb).toBeCloseTo(h.logProb, 4);
      });
    });
  }, 60_000);

  it('greedy picks the argmax at every step and respects min/max length', () => {
    const model = tinyModel({}, 5);
    const src = model.encodeSource('abcd');
    const [h] = decode(model, [src], { maxLength: 7, minLength: 3 })[0]!;
    expect(h!.tokens.length).toBeGreaterThanOrEqual(3);
    expect(h!.tokens.length).toBeLessThanOrEqual(7);
    expect(h!.tokens.slice(0, 3).includes(model.eos)).toBe(false);
    // Replay: each token must be the argmax of the step's logits (ties to the lower id).
    const sm = seq2seqStepModel(model, src);
    let state = sm.initialState(1);
    let prev = model.bos;
    for (let t = 0; t < h!.tokens.length; t++) {
      const out = sm.step(Int32Array.of(prev), state);
      const logits = Array.from(out.logits);
      if (t < 3) logits[model.eos] = Number.NEGATIVE_INFINITY;
      expect(h!.tokens[t]).toBe(logits.indexOf(Math.max(...logits)));
      prev = h!.tokens[t]!;
      state = out.state;
    }
  });

  it('rejects bad options with OptionError', () => {
    const model = tinyModel();
    const src = [model.encodeSource('abc')];
    expect(() => decode(model, src, { beamSize: 2, nBest: 3 })).toThrow(OptionError);
    expect(() => decode(model, src, { beamSize: 0 })).toThrow(OptionError);
    expect(() => decode(model, src, { minLength: 5, maxLength: 5 })).toThrow(OptionError);
    expect(() => resolveSeq2SeqConfig({ attention: 'cosine' as never })).toThrow(OptionError);
    expect(() => resolveSeq2SeqConfig({ bridge: 'sum', encoderHidden: 8, decoderHidden: 16 })).toThrow(
      /encoderHidden/,
    );
  });
});

describe('model file', () => {
  it('round-trips through one safetensors file with identical weights and outputs', () => {
    const model = tinyModel({ cell: 'gru', attention: 'dot', bridge: 'linear' }, 11);
    const bytes = encodeSeq2Seq(model, { task: 'test' });
    const { model: back, info } = decodeSeq2Seq(bytes);
    expect(info).toEqual({ task: 'test' });
    expect(back.config).toEqual(model.config);
    const names = [...model.parameters()].map(([n]) => n);
    expect([...back.parameters()].map(([n]) => n)).toEqual(names);
    const sources = ['abc', 'hgfedcba', 'd'].map((s) => model.encodeSource(s));
    const a = decode(model, sources, { beamSize: 3, maxLength: 8 });
    const b = decode(back, sources, { beamSize: 3, maxLength: 8 });
    expect(b.map((hs) => hs.map((h) => [Array.from(h.tokens), h.logProb]))).toEqual(
      a.map((hs) => hs.map((h) => [Array.from(h.tokens), h.logProb])),
    );
    expect(back.sourceTokenizer.toJSON()).toEqual(model.sourceTokenizer.toJSON());
  });

  it('rejects foreign, truncated and mismatched files with FormatError', () => {
    const model = tinyModel();
    const bytes = encodeSeq2Seq(model);
    expect(() => decodeSeq2Seq(bytes.slice(0, 100))).toThrow(FormatError);
    expect(() => decodeSeq2Seq(new TextEncoder().encode('hello world, not a model'))).toThrow(FormatError);
    // Same tensors, but a config that asks for other shapes (64 -> 32 keeps the header length).
    const text = Buffer.from(bytes).toString('latin1');
    const swapped = text.replace('\\"decoderHidden\\":64', '\\"decoderHidden\\":32');
    expect(swapped).not.toBe(text);
    expect(() => decodeSeq2Seq(Buffer.from(swapped, 'latin1'))).toThrow(
      /tensor "[a-z._]+" shape: expected \[/,
    );
  });
});

describe('evaluation and heatmap', () => {
  it('counts a G2P word right when it matches any variant and measures PER to the closest one', () => {
    const model = tinyModel();
    const groups = groupPairs([
      ['abc', 'c b a'],
      ['abc', 'c b'],
    ]);
    expect(groups).toEqual([{ source: 'abc', targets: ['c b a', 'c b'] }]);
    const s = evaluateSeq2Seq(model, groups, { maxLength: 4 });
    expect(s.sources).toBe(1);
    expect(s.wer === 0 || s.wer === 100).toBe(true);
    expect(s.wer === 0).toBe(groups[0]!.targets.includes(s.hypotheses[0]!.text));
  });

  it('draws one cell per (output, source) pair with the token labels', () => {
    const model = tinyModel();
    const [h] = decode(model, [model.encodeSource('abcd')], { maxLength: 5 })[0]!;
    const svg = attentionHeatmapSvg(hypothesisHeatmap(model, 'abcd', h!, 'test'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect/g) ?? []).length).toBeGreaterThanOrEqual(4 * h!.tokens.length);
    expect(svg).toContain('>a<');
    expect(() =>
      attentionHeatmapSvg({ sourceTokens: ['a'], outputTokens: ['b'], weights: [[0.5, 0.5]] }),
    ).toThrow(OptionError);
  });
});

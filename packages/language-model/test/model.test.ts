import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  crossEntropy,
  DataError,
  decodeSafetensors,
  encodeSafetensors,
  FormatError,
  OptionError,
  Rng,
  Tape,
} from '@recurrent/core';
import { CharTokenizer } from '@recurrent/tokenizers';
import { describe, expect, it } from 'vitest';
import {
  decodeLanguageModel,
  encodeLanguageModel,
  evaluateIds,
  evaluateText,
  LANGUAGE_MODEL_FORMAT,
  LanguageModel,
  languageModelStepper,
  loadLanguageModel,
  prepareEvaluation,
  saveLanguageModel,
} from '../src/index.ts';

const text = 'It is not down on any map; true places never are.\n';
const tokenizer = CharTokenizer.train([text]);
const make = (extra: object = {}, seed = 1) =>
  new LanguageModel(
    { vocabSize: tokenizer.vocabSize, hiddenSize: 12, embeddingDim: 6, ...extra },
    { rng: new Rng(seed) },
  );

describe('LanguageModel config', () => {
  it('rejects bad configs with an OptionError naming the field', () => {
    expect(() => make({ hiddenSize: 0 })).toThrow(/hiddenSize: expected an integer >= 1, got 0/);
    expect(() => make({ cell: 'rnn' })).toThrow(/cell: expected 'lstm' or 'gru', got "rnn"/);
    expect(() => make({ tieWeights: true })).toThrow(
      /tieWeights: expected embeddingDim equal to hiddenSize \(12\), got embeddingDim 6/,
    );
    expect(() => make({ hidden: 3 })).toThrow(OptionError);
    expect(() => make({ dropout: 1 })).toThrow(/dropout/);
  });

  it('names its parameters like PyTorch, in PyTorch order; tying shares the embedding', () => {
    expect([...make().parameters()].map(([n]) => n)).toEqual([
      'embedding.weight',
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'decoder.weight',
      'decoder.bias',
    ]);
    const tied = make({ cell: 'gru', embeddingDim: 12, tieWeights: true, numLayers: 2 });
    const names = [...tied.parameters()].map(([n]) => n);
    expect(names).not.toContain('decoder.weight');
    expect(names).toContain('rnn.weight_hh_l1');
    expect(tied.decoderWeight).toBe(tied.embedding.weight);
  });

  it('sends the gradient of both uses of a tied matrix into it', () => {
    const m = make({ embeddingDim: 12, tieWeights: true });
    const ids = tokenizer.encode('true places');
    const batch = { inputs: ids.subarray(0, -1), targets: ids.subarray(1), batch: 1, steps: ids.length - 1 };
    const tape = new Tape();
    const { loss } = m.loss(tape, batch);
    tape.backward(loss);
    const g = m.embedding.weight.grad!;
    // Rows of tokens that never occur in the input still get the decoder's (softmax) gradient.
    const absent = tokenizer.encode('M')[0]!;
    expect(ids).not.toContain(absent);
    const row = g.subarray(absent * 12, absent * 12 + 12);
    expect(row.some((v) => v !== 0)).toBe(true);
  });
});

describe('languageModelStepper', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    it(`gives, one token at a time, the logits of the whole-sequence forward (${cell}, 2 layers)`, () => {
      const m = make({ cell, numLayers: 2, dropout: 0.3 });
      const ids = tokenizer.encode('never are');
      m.train(false);
      const full = m.forward(Tape.noGrad(), ids, 1, ids.length).logits.data;
      m.train(true); // the stepper must not apply dropout whatever the mode
      const stepper = languageModelStepper(m);
      let state = stepper.initialState(1);
      const V = tokenizer.vocabSize;
      for (let t = 0; t < ids.length; t++) {
        const out = stepper.step(ids.subarray(t, t + 1), state);
        state = out.state;
        const expected = full.subarray(t * V, (t + 1) * V);
        for (let v = 0; v < V; v++) expect(out.logits[v]).toBeCloseTo(expected[v]!, 5);
      }
      expect(() => stepper.step(Int32Array.of(V), state)).toThrow(/ids\[0\]: expected a token id in \[0, /);
    });
  }

  it('selects beam rows of the state', () => {
    const m = make({ cell: 'lstm' });
    const s = languageModelStepper(m);
    const { state } = s.step(Int32Array.of(3, 4), s.initialState(2));
    const picked = s.selectState!(state, Int32Array.of(1, 1, 0));
    expect(picked.h.shape).toEqual([1, 3, 12]);
    expect(Array.from(picked.c!.data.subarray(0, 12))).toEqual(Array.from(state.c!.data.subarray(12, 24)));
  });
});

describe('evaluation', () => {
  it('reports bits per character over every character when the tokenizer has BOS', () => {
    const m = make();
    const prepared = prepareEvaluation(tokenizer, text);
    expect(prepared.ids[0]).toBe(tokenizer.specials.bos);
    expect(prepared.characters).toBe([...text].length);
    const metrics = evaluateText(m, tokenizer, text, { streams: 1 });
    // By hand: one forward over the whole sequence, summed cross-entropy.
    const { ids } = prepared;
    m.train(false);
    const logits = m.forward(Tape.noGrad(), ids.subarray(0, -1), 1, ids.length - 1).logits;
    const nats = crossEntropy(Tape.noGrad(), logits, ids.subarray(1), { reduction: 'sum' }).data[0]!;
    expect(metrics.tokens).toBe(text.length);
    expect(metrics.nats).toBeCloseTo(nats, 3);
    expect(metrics.bitsPerChar).toBeCloseTo(nats / Math.LN2 / text.length, 6);
    expect(metrics.perplexity).toBeCloseTo(Math.exp(nats / text.length), 4);
  });

  it('counts only the predicted characters without BOS, and gives the same total in any number of windows', () => {
    const m = make();
    const codec = {
      encode: (s: string) => tokenizer.encode(s),
      decode: (ids: ArrayLike<number>) => tokenizer.decode(ids),
    };
    const prepared = prepareEvaluation(codec, text);
    expect(prepared.characters).toBe(text.length - 1);
    const a = evaluateIds(m, prepared.ids, prepared.characters, { streams: 1, seqLen: 7 });
    const b = evaluateIds(m, prepared.ids, prepared.characters, { streams: 1, seqLen: 100 });
    expect(a.nats).toBeCloseTo(b.nats, 3);
    // Streams that read everything before their piece compute exactly what one stream does.
    const c = evaluateIds(m, prepared.ids, prepared.characters, { streams: 5, context: 1000 });
    expect(c.tokens).toBe(a.tokens);
    expect(c.nats).toBeCloseTo(a.nats, 3);
    // Cold starts (no context) cost accuracy; the count of predictions stays the same.
    const cold = evaluateIds(m, prepared.ids, prepared.characters, { streams: 5, context: 0 });
    expect(cold.tokens).toBe(a.tokens);
    expect(cold.nats).not.toBeCloseTo(a.nats, 3);
    expect(() => evaluateText(m, codec, 'I')).toThrow(DataError);
  });
});

describe('model file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recurrent-lm-file-'));

  it('round-trips weights, config and tokenizer through one safetensors file', async () => {
    const m = make({ cell: 'gru', numLayers: 2 });
    const path = join(dir, 'm.safetensors');
    await saveLanguageModel(path, { model: m, tokenizer, metadata: { training: '{"steps":3}' } });
    const raw = decodeSafetensors(readFileSync(path));
    expect(raw.metadata.format).toBe(LANGUAGE_MODEL_FORMAT);
    expect(JSON.parse(raw.metadata.config!)).toEqual(m.config);
    const back = await loadLanguageModel(path);
    expect(back.metadata).toEqual({ training: '{"steps":3}' });
    expect(back.tokenizer.encode(text)).toEqual(tokenizer.encode(text));
    expect([...back.model.parameters()].map(([n, p]) => [n, Array.from(p.data)])).toEqual(
      [...m.parameters()].map(([n, p]) => [n, Array.from(p.data)]),
    );
  });

  it('rejects foreign, incomplete or inconsistent files with a FormatError', () => {
    const bytes = encodeLanguageModel({ model: make(), tokenizer });
    const { tensors, metadata } = decodeSafetensors(bytes);
    const rewrite = (t: typeof tensors, md: Record<string, string>) => encodeSafetensors(t, md);
    const without = new Map(tensors);
    without.delete('rnn.weight_hh_l0');
    const cases: [Uint8Array, RegExp][] = [
      [
        rewrite(tensors, { ...metadata, format: 'something-else' }),
        /format: expected "recurrent-language-model\/1"/,
      ],
      [rewrite(without, metadata), /tensors: expected 7 for the configured 1-layer model, got 6/],
      [
        rewrite(tensors, { ...metadata, config: '{"vocabSize": 5' }),
        /metadata "config": expected valid JSON/,
      ],
      [
        rewrite(tensors, { ...metadata, config: JSON.stringify({ ...make().config, hiddenSize: 10 }) }),
        /shape: expected \[40, 6\], got \[48, 6\]/,
      ],
      [
        rewrite(tensors, { ...metadata, tokenizer: '{"kind":"char"}' }),
        /tokenizer: expected a valid tokenizer spec/,
      ],
      [bytes.subarray(0, bytes.length - 8), /safetensors/],
    ];
    for (const [b, pattern] of cases) {
      let err: unknown;
      try {
        decodeLanguageModel(b, 'm.safetensors');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toMatch(pattern);
    }
  });

  it('never replaces a good file with an invalid model', async () => {
    const path = join(dir, 'keep.safetensors');
    await saveLanguageModel(path, { model: make(), tokenizer });
    const before = readFileSync(path);
    const other = CharTokenizer.train(['abc']);
    await expect(saveLanguageModel(path, { model: make(), tokenizer: other })).rejects.toThrow(FormatError);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

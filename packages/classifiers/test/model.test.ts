import {
  AttentionPooling,
  LazyAdam,
  maxOverTime,
  meanOverTime,
  type Pooling,
  resolveClassifierConfig,
  SequenceClassifier,
  weightedCrossEntropy,
} from '@recurrent/classifiers';
import {
  Adam,
  crossEntropy,
  DataError,
  gradcheck,
  OptionError,
  Parameter,
  padBatch,
  Rng,
  Tape,
  Tensor,
} from '@recurrent/core';
import { describe, expect, it } from 'vitest';

function randn(shape: number[], rng: Rng): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  return t;
}

describe('time pooling', () => {
  it('maxOverTime takes the maximum over valid steps only', () => {
    // Row 0 has 2 valid steps; its padded step holds 9, which must not win. Row 1 has all 3.
    const x = Tensor.from([1, -5, 3, 0, 9, 9, /* row 1 */ -1, -2, -3, -4, -5, 7], [2, 3, 2]);
    const y = maxOverTime(Tape.noGrad(), x, [2, 3]);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([3, 0, -1, 7]);
  });

  it('meanOverTime averages over valid steps only', () => {
    const x = Tensor.from([1, 2, 3, 4, 100, 100, /* row 1 */ 1, 1, 2, 2, 3, 3], [2, 3, 2]);
    expect(meanOverTime(Tape.noGrad(), x, [2, 3]).toArray()).toEqual([2, 3, 2, 2]);
  });

  it('max and mean pooling pass gradient checks and give padding no gradient', () => {
    const rng = new Rng(3);
    const x = randn([3, 4, 5], rng);
    const lengths = [4, 2, 1];
    for (const pool of [maxOverTime, meanOverTime]) {
      const r = gradcheck((t) => pool(t, x, lengths), [x]);
      expect(r.ok, r.message).toBe(true);
      // Step 3 of row 1 and steps 1..3 of row 2 are padding.
      const g = r.inputs[0]!.analytic;
      for (const [b, s] of [
        [1, 2],
        [1, 3],
        [2, 1],
        [2, 3],
      ] as const) {
        for (let j = 0; j < 5; j++) expect(g[(b * 4 + s) * 5 + j]).toBe(0);
      }
    }
  });

  it('rejects lengths outside [1, T]', () => {
    const x = Tensor.zeros([2, 3, 1]);
    expect(() => maxOverTime(Tape.noGrad(), x, [0, 3])).toThrow(DataError);
    expect(() => meanOverTime(Tape.noGrad(), x, [4, 3])).toThrow(DataError);
    expect(() => maxOverTime(Tape.noGrad(), x, [1])).toThrow(/lengths/);
  });
});

describe('AttentionPooling', () => {
  it('weights sum to 1 over valid steps, are 0 on padding, and the gradient checks out', () => {
    const rng = new Rng(5);
    const pool = new AttentionPooling({ inputSize: 4, attentionSize: 3, rng });
    const x = randn([2, 5, 4], rng);
    const lengths = [5, 3];
    const { pooled, weights } = pool.forward(Tape.noGrad(), x, lengths);
    expect(pooled.shape).toEqual([2, 4]);
    const w = weights.toArray();
    expect(w.slice(0, 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(w.slice(5, 8).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(w.slice(8)).toEqual([0, 0]);
    // pooled[1] is the weighted sum of row 1's first three steps.
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let t = 0; t < 3; t++) s += w[5 + t]! * x.get(1, t, j);
      expect(pooled.get(1, j)).toBeCloseTo(s, 5);
    }
    const r = gradcheck((t) => pool.forward(t, x, lengths).pooled, [x, pool.W, pool.bias, pool.v]);
    expect(r.ok, r.message).toBe(true);
  });
});

describe('weightedCrossEntropy', () => {
  const logits = Tensor.from([2, 0.5, -1, 0.1, 0.2, 0.3, -0.5, 1.5, 0, 1, 1, 1], [4, 3]);
  const targets = [0, 2, 1, 1];

  it("is PyTorch's weighted mean Σ w[y]·ℓ / Σ w[y]", () => {
    const w = [0.5, 2, 1];
    const per = targets.map((y, i) => {
      const row = logits.toArray().slice(i * 3, i * 3 + 3);
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      return lse - row[y]!;
    });
    const expected =
      per.reduce((a, l, i) => a + w[targets[i]!]! * l, 0) / targets.reduce((a, y) => a + w[y]!, 0);
    const got = weightedCrossEntropy(Tape.noGrad(), logits, targets, w).data[0]!;
    expect(got).toBeCloseTo(expected, 5);
  });

  it('equals the plain loss with equal weights, and its gradient checks out', () => {
    const plain = crossEntropy(Tape.noGrad(), logits, targets).data[0]!;
    expect(weightedCrossEntropy(Tape.noGrad(), logits, targets, [3, 3, 3]).data[0]).toBeCloseTo(plain, 6);
    const x = Tensor.from(logits.data, logits.shape);
    const r = gradcheck((t) => weightedCrossEntropy(t, x, targets, [0.5, 2, 1]), [x]);
    expect(r.ok, r.message).toBe(true);
  });

  it('rejects bad weights and targets', () => {
    expect(() => weightedCrossEntropy(Tape.noGrad(), logits, targets, [1, 1])).toThrow(OptionError);
    expect(() => weightedCrossEntropy(Tape.noGrad(), logits, targets, [1, -1, 1])).toThrow(OptionError);
    expect(() => weightedCrossEntropy(Tape.noGrad(), logits, [0, 3, 1, 1], [1, 1, 1])).toThrow(DataError);
    expect(() => weightedCrossEntropy(Tape.noGrad(), logits, [1, 1, 1, 1], [1, 0, 1])).toThrow(
      /positive total/,
    );
  });
});

describe('SequenceClassifier', () => {
  const poolings: Pooling[] = ['last', 'mean', 'max', 'attention'];
  const base = { vocabSize: 12, numClasses: 3, padId: 0, embeddingDim: 6, hiddenSize: 5, attentionSize: 4 };

  it('validates its config with defaults filled in', () => {
    const c = resolveClassifierConfig({ vocabSize: 10, numClasses: 2, padId: 0 });
    expect(c).toMatchObject({ cell: 'lstm', bidirectional: true, pooling: 'max', numLayers: 1 });
    expect(() => resolveClassifierConfig({ ...base, pooling: 'sum' as Pooling })).toThrow(OptionError);
    expect(() => resolveClassifierConfig({ ...base, numClasses: 1 })).toThrow(/numClasses/);
    expect(() => resolveClassifierConfig({ ...base, padId: 12 })).toThrow(/padId/);
    expect(() => resolveClassifierConfig({ ...base, dropout: 1 })).toThrow(/dropout/);
    expect(() => resolveClassifierConfig({ ...base, hidden: 3 } as never)).toThrow(/keys among/);
  });

  for (const pooling of poolings) {
    for (const cell of ['lstm', 'gru'] as const) {
      it(`${cell} + ${pooling}: a sequence's logits do not depend on the padding around it`, () => {
        const model = new SequenceClassifier({ ...base, pooling, cell }, { rng: new Rng(1) });
        model.train(false);
        const short = Int32Array.of(3, 4, 5);
        const long = Int32Array.of(6, 7, 8, 9, 10, 11, 2);
        const alone = model.forward(Tape.noGrad(), padBatch([short], 0));
        const mixed = model.forward(Tape.noGrad(), padBatch([long, short], 0));
        expect(alone.shape).toEqual([1, 3]);
        expect(mixed.shape).toEqual([2, 3]);
        for (let k = 0; k < 3; k++) expect(mixed.get(1, k)).toBeCloseTo(alone.get(0, k), 5);
      });
    }
  }

  it('names its parameters after PyTorch modules', () => {
    const model = new SequenceClassifier({ ...base, pooling: 'attention' }, { rng: new Rng(1) });
    const names = [...model.parameters()].map(([n]) => n);
    expect(names).toContain('embedding.weight');
    expect(names).toContain('encoder.weight_ih_l0');
    expect(names).toContain('encoder.weight_hh_l0_reverse');
    expect(names).toContain('attention.v');
    expect(names.slice(-2)).toEqual(['output.weight', 'output.bias']);
  });

  it('backpropagates into every parameter in training mode', () => {
    const model = new SequenceClassifier(
      { ...base, pooling: 'attention', numLayers: 2 },
      { rng: new Rng(2) },
    );
    const tape = new Tape();
    const loss = model.loss(tape, padBatch([Int32Array.of(1, 2, 3), Int32Array.of(4, 5)], 0), [0, 2]);
    tape.backward(loss);
    for (const [name, p] of model.parameters()) {
      const g = p.grad;
      expect(g, name).not.toBeNull();
      expect(
        g!.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    // The padding row gets no gradient (PyTorch's padding_idx).
    expect(Array.from(model.embedding.weight.grad!.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('LazyAdam', () => {
  function params(seed: number): [string, Parameter][] {
    const rng = new Rng(seed);
    const emb = Parameter.zeros([5, 3]);
    const w = Parameter.zeros([4]);
    for (const p of [emb, w]) for (let i = 0; i < p.size; i++) p.data[i] = rng.normal();
    return [
      ['embedding.weight', emb],
      ['w', w],
    ];
  }

  it("equals core's Adam bit for bit where every row has gradient", () => {
    const a = params(1);
    const b = params(1);
    const lazy = new LazyAdam(a, { lr: 0.01 }, ['embedding.weight']);
    const dense = new Adam(b, { lr: 0.01 });
    const rng = new Rng(2);
    for (let step = 0; step < 5; step++) {
      for (let k = 0; k < 2; k++) {
        const g = Float32Array.from({ length: a[k]![1].size }, () => rng.normal() + 0.1);
        a[k]![1].grad = g.slice();
        b[k]![1].grad = g.slice();
      }
      lazy.step();
      dense.step();
    }
    for (let k = 0; k < 2; k++) expect(Array.from(a[k]![1].data)).toEqual(Array.from(b[k]![1].data));
  });

  it('leaves rows without gradient exactly as they are, moments included', () => {
    const a = params(3);
    const lazy = new LazyAdam(a, { lr: 0.1 }, ['embedding.weight']);
    const emb = a[0]![1];
    const before = emb.data.slice();
    // Step 1 touches rows 0 and 2; step 2 only row 0: row 2 must not keep moving on its momentum.
    emb.grad = Float32Array.from([1, 1, 1, 0, 0, 0, 1, -1, 1, 0, 0, 0, 0, 0, 0]);
    a[1]![1].grad = new Float32Array(4).fill(1);
    lazy.step();
    const afterFirst = emb.data.slice();
    emb.grad = Float32Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    lazy.step();
    expect(Array.from(emb.data.subarray(3, 6))).toEqual(Array.from(before.subarray(3, 6)));
    expect(Array.from(emb.data.subarray(6, 9))).toEqual(Array.from(afterFirst.subarray(6, 9)));
    expect(Array.from(emb.data.subarray(6, 9))).not.toEqual(Array.from(before.subarray(6, 9)));
    expect(Array.from(emb.data.subarray(0, 3))).not.toEqual(Array.from(afterFirst.subarray(0, 3)));
    expect(lazy.stateDict().params['embedding.weight']!.buffers.exp_avg!.subarray(9)).toEqual(
      new Float32Array(6),
    );
    expect(() => new LazyAdam(a, {}, ['w'])).toThrow(/rows, width/);
  });
});

import { describe, expect, it } from 'vitest';
import { init, OptionError, Parameter, Rng, ShapeError, Tensor } from '../src/index.ts';

/** Max |(A Aᵀ) - I| over the rows of a [rows, cols] matrix (rows orthonormal when rows <= cols). */
function rowGramError(d: Float32Array, rows: number, cols: number, scale = 1): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += d[i * cols + k]! * d[j * cols + k]!;
      worst = Math.max(worst, Math.abs(dot / (scale * scale) - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** Max |QᵀQ - I| over the columns. */
function colGramError(d: Float32Array, rows: number, cols: number): number {
  let worst = 0;
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let dot = 0;
      for (let k = 0; k < rows; k++) dot += d[k * cols + i]! * d[k * cols + j]!;
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

function stats(d: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of d) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / d.length), min, max };
}

describe('initialisers', () => {
  it('orthogonal: QᵀQ ≈ I for square, tall and wide matrices (and gain scales it)', () => {
    const sq = init.orthogonal(Tensor.zeros([16, 16]), new Rng(1));
    expect(colGramError(sq.data, 16, 16)).toBeLessThan(1e-5);
    expect(rowGramError(sq.data, 16, 16)).toBeLessThan(1e-5);
    const tall = init.orthogonal(Tensor.zeros([20, 6]), new Rng(2));
    expect(colGramError(tall.data, 20, 6)).toBeLessThan(1e-5);
    const wide = init.orthogonal(Tensor.zeros([5, 12]), new Rng(3));
    expect(rowGramError(wide.data, 5, 12)).toBeLessThan(1e-5);
    // A 3-D weight is viewed as [shape[0], rest].
    const w3 = init.orthogonal(Tensor.zeros([4, 3, 2]), new Rng(4), { gain: 2 });
    expect(rowGramError(w3.data, 4, 6, 2)).toBeLessThan(1e-5);
  });

  it('orthogonal: stacked recurrent gates [4H, H] get orthonormal columns', () => {
    const w = init.orthogonal(Parameter.zeros([4 * 8, 8]), new Rng(5));
    expect(colGramError(w.data, 32, 8)).toBeLessThan(1e-5);
  });

  it('seeded init is reproducible and different seeds differ', () => {
    for (const f of [
      (t: Tensor, r: Rng) => init.xavierUniform(t, r),
      (t: Tensor, r: Rng) => init.xavierNormal(t, r),
      (t: Tensor, r: Rng) => init.orthogonal(t, r),
      (t: Tensor, r: Rng) => init.uniform(t, r, { low: -1, high: 1 }),
      (t: Tensor, r: Rng) => init.normal(t, r, { std: 0.1 }),
    ]) {
      const a = f(Tensor.zeros([6, 5]), new Rng(42)).toArray();
      const b = f(Tensor.zeros([6, 5]), new Rng(42)).toArray();
      const c = f(Tensor.zeros([6, 5]), new Rng(43)).toArray();
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    }
  });

  it('xavierUniform: bound gain * sqrt(6 / (fanIn + fanOut)), uniform spread', () => {
    const t = init.xavierUniform(Tensor.zeros([200, 100]), new Rng(7), { gain: 2 });
    const a = 2 * Math.sqrt(6 / 300);
    const s = stats(t.data);
    expect(s.max).toBeLessThanOrEqual(a);
    expect(s.min).toBeGreaterThanOrEqual(-a);
    expect(s.max).toBeGreaterThan(0.99 * a);
    expect(s.std).toBeCloseTo(a / Math.sqrt(3), 2); // std of U(-a, a)
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
  });

  it('xavierNormal: std gain * sqrt(2 / (fanIn + fanOut)); receptive field counts in the fans', () => {
    expect(init.fans([8, 3, 5, 2])).toEqual({ fanIn: 30, fanOut: 80 });
    const t = init.xavierNormal(Tensor.zeros([300, 200]), new Rng(8));
    const s = stats(t.data);
    expect(s.std / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
  });

  it('uniform, normal, zeros, constant', () => {
    const u = stats(init.uniform(Tensor.zeros([20000]), new Rng(1), { low: 2, high: 3 }).data);
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(3);
    expect(u.mean).toBeCloseTo(2.5, 1);
    const n = stats(init.normal(Tensor.zeros([20000]), new Rng(2), { mean: -1, std: 0.5 }).data);
    expect(n.mean).toBeCloseTo(-1, 1);
    expect(n.std).toBeCloseTo(0.5, 1);
    const z = init.zeros(Tensor.full([3], 7));
    expect(z.toArray()).toEqual([0, 0, 0]);
    expect(init.constant(Tensor.zeros([2]), 0.25).toArray()).toEqual([0.25, 0.25]);
  });

  it('LSTM forget-gate bias: the f slice [H, 2H) sums to value over bias_ih + bias_hh', () => {
    const H = 3;
    const ih = Tensor.full([4 * H], 0.5);
    const hh = Tensor.full([4 * H], 0.5);
    init.lstmForgetGateBias(ih, hh, { value: 2 });
    expect(ih.toArray()).toEqual([0.5, 0.5, 0.5, 2, 2, 2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(hh.toArray()).toEqual([0.5, 0.5, 0.5, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(() => init.lstmForgetGateBias(Tensor.zeros([10]), null)).toThrow(ShapeError);
    expect(() => init.lstmForgetGateBias(Tensor.zeros([8]), Tensor.zeros([12]))).toThrow(ShapeError);
  });

  it('initLstmForgetBias finds every layer and direction by PyTorch name', () => {
    const H = 2;
    const names = [
      'weight_ih_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
      'bias_ih_l1',
      'bias_hh_l1',
    ];
    const params = names.map(
      (n) => [`enc.${n}`, Parameter.zeros(n.startsWith('weight') ? [4 * H, 3] : [4 * H])] as const,
    );
    expect(init.initLstmForgetBias(params)).toBe(3);
    const byName = new Map(params);
    expect(byName.get('enc.bias_ih_l0_reverse')!.toArray()).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(byName.get('enc.bias_hh_l1')!.toArray()).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(
      byName
        .get('enc.weight_ih_l0')!
        .toArray()
        .every((v) => v === 0),
    ).toBe(true);
  });

  it('typed errors for bad shapes and options', () => {
    expect(() => init.xavierUniform(Tensor.zeros([5]), new Rng(1))).toThrow(ShapeError);
    expect(() => init.orthogonal(Tensor.zeros([5]), new Rng(1))).toThrow(ShapeError);
    expect(() => init.uniform(Tensor.zeros([2]), new Rng(1), { low: 1, high: 0 })).toThrow(OptionError);
    expect(() => init.normal(Tensor.zeros([2]), new Rng(1), { std: -1 })).toThrow(OptionError);
    expect(() => init.xavierNormal(Tensor.zeros([2, 2]), new Rng(1), { gain: Number.NaN })).toThrow(
      OptionError,
    );
  });
});

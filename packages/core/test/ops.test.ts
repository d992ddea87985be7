/**
 * Float64 gradient checks for every primitive op, the fused ops against their compositions, and the
 * forward values against plain float64 loops.
 */
import { describe, expect, it } from 'vitest';
import {
  Attention,
  type AttentionScore,
  add,
  concat,
  crossEntropy,
  dropout,
  exp,
  gatherRows,
  gradcheck,
  linear,
  log,
  logSoftmax,
  maskedFill,
  matmul,
  mean,
  mse,
  mul,
  Rng,
  relu,
  reshape,
  scale,
  sigmoid,
  slice,
  softmax,
  sub,
  sum,
  Tape,
  Tensor,
  tanh,
  transpose,
} from '../src/index.ts';

function rand(rng: Rng, shape: number[], lo = -1, hi = 1): Tensor {
  const t = Tensor.zeros(shape, true);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(lo, hi);
  return t;
}

/** Runs gradcheck (10x tighter than its defaults: these graphs are small) and fails with its worst element. */
function check(f: (tape: Tape) => Tensor | Tensor[], inputs: Tensor[]): void {
  const r = gradcheck(f, inputs, { atol: 1e-4, rtol: 1e-3 });
  expect(r.ok, r.message).toBe(true);
  // Guard against a vacuous pass: some gradient must actually have flowed.
  expect(
    r.inputs.some((i) => i.analytic.some((v) => v !== 0)),
    'all analytic gradients are zero',
  ).toBe(true);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (!(Math.abs(actual[i]! - e) <= tol * (1 + Math.abs(e)))) {
      throw new Error(`element ${i}: ${actual[i]} vs ${e}`);
    }
  }
}

/** Naive float64 A[m,k]·B[k,n]. */
function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const c: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      c.push(s);
    }
  return c;
}

describe('gradcheck itself', () => {
  it('flags a wrong backward', () => {
    const rng = new Rng(1);
    const x = rand(rng, [3, 4]);
    // A "square" op whose backward forgets the factor 2.
    const badSquare = (tape: Tape, a: Tensor): Tensor => {
      const out = Tensor.zeros(a.shape, tape.needsGrad(a));
      for (let i = 0; i < a.size; i++) out.data[i] = a.data[i]! ** 2;
      tape.record(() => {
        const g = out.grad;
        if (!g) return;
        const ga = a.ensureGrad();
        for (let i = 0; i < g.length; i++) ga[i]! += g[i]! * a.data[i]!;
      });
      return out;
    };
    const r = gradcheck((t) => badSquare(t, x), [x]);
    expect(r.ok).toBe(false);
    expect(r.inputs[0]!.maxAbsError).toBeGreaterThan(0.01);
    expect(r.message).toContain('FAILED');
  });

  it('reports per-input errors and restores requiresGrad', () => {
    const rng = new Rng(2);
    const a = rand(rng, [2, 3]);
    const b = Tensor.from(rand(rng, [2, 3]).data, [2, 3], false);
    const r = gradcheck((t) => mul(t, a, b), [a, b]);
    expect(r.ok, r.message).toBe(true);
    expect(r.inputs).toHaveLength(2);
    expect(b.requiresGrad).toBe(false);
    for (const res of r.inputs) expect(res.maxAbsError).toBeLessThan(1e-3);
    // d(a*b)/da = w*b: the analytic gradient of a is the numeric one.
    expectClose(r.inputs[0]!.analytic, r.inputs[0]!.numeric, 1e-3);
  });
});

describe('elementwise arithmetic', () => {
  const cases: [string, number[], number[]][] = [
    ['same shape', [3, 4], [3, 4]],
    ['bias over rows', [5, 3], [3]],
    ['middle broadcast', [2, 1, 3], [2, 4, 3]],
    ['column times matrix', [3, 1], [3, 4]],
    ['scalar', [], [2, 3]],
  ];
  for (const [name, sa, sb] of cases) {
    it(`add/sub/mul gradcheck: ${name} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
      const rng = new Rng(10);
      const a = rand(rng, sa);
      const b = rand(rng, sb);
      check((t) => [add(t, a, b), sub(t, a, b), mul(t, a, b)], [a, b]);
      check((t) => [add(t, b, a), sub(t, b, a), mul(t, b, a)], [a, b]);
    });
  }

  it('broadcast forward values follow NumPy rules', () => {
    const t = Tape.noGrad();
    const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
    const bias = Tensor.from([10, 20, 30], [3]);
    const col = Tensor.from([2, -1], [2, 1]);
    expect(add(t, x, bias).toArray()).toEqual([11, 22, 33, 14, 25, 36]);
    expect(sub(t, bias, x).toArray()).toEqual([9, 18, 27, 6, 15, 24]);
    expect(mul(t, x, col).toArray()).toEqual([2, 4, 6, -4, -5, -6]);
    const y = add(t, Tensor.from([1, 2], [2, 1, 1]), Tensor.from([10, 20, 30], [1, 3, 1]));
    expect(y.shape).toEqual([2, 3, 1]);
    expect(y.toArray()).toEqual([11, 21, 31, 12, 22, 32]);
  });

  it('scale gradcheck and values', () => {
    const rng = new Rng(11);
    const a = rand(rng, [4, 3]);
    check((t) => scale(t, a, -2.5), [a]);
    expect(scale(Tape.noGrad(), Tensor.from([1, -2], [2]), 3).toArray()).toEqual([3, -6]);
  });
});

describe('activations', () => {
  it('tanh, sigmoid, exp gradcheck', () => {
    const rng = new Rng(20);
    const a = rand(rng, [3, 5], -2, 2);
    check((t) => [tanh(t, a), sigmoid(t, a), exp(t, a)], [a]);
  });

  it('relu gradcheck away from the kink, and 0 gradient for negative inputs', () => {
    const rng = new Rng(21);
    const a = rand(rng, [4, 4], -1, 1);
    for (let i = 0; i < a.size; i++) if (Math.abs(a.data[i]!) < 0.1) a.data[i] = 0.5;
    check((t) => relu(t, a), [a]);
    const x = Tensor.from([-1, 0, 2], [3], true);
    const tape = new Tape();
    const y = relu(tape, x);
    expect(y.toArray()).toEqual([0, 0, 2]);
    tape.backward(y);
    expect(Array.from(x.grad!)).toEqual([0, 0, 1]);
  });

  it('log gradcheck on positive inputs', () => {
    const rng = new Rng(22);
    const a = rand(rng, [6], 0.5, 3);
    check((t) => log(t, a), [a]);
  });

  it('forward values match Math', () => {
    const t = Tape.noGrad();
    const x = Tensor.from([-3, -0.5, 0, 0.7, 4], [5]);
    expectClose(tanh(t, x).data, x.toArray().map(Math.tanh));
    expectClose(
      sigmoid(t, x).data,
      x.toArray().map((v) => 1 / (1 + Math.exp(-v))),
    );
    expectClose(exp(t, x).data, x.toArray().map(Math.exp));
  });
});

describe('matmul', () => {
  it('2-D forward matches a float64 product and gradchecks', () => {
    const rng = new Rng(30);
    const a = rand(rng, [3, 4]);
    const b = rand(rng, [4, 5]);
    const c = matmul(Tape.noGrad(), a, b);
    expect(c.shape).toEqual([3, 5]);
    expectClose(c.data, naiveMatmul(a.data, b.data, 3, 4, 5));
    check((t) => matmul(t, a, b), [a, b]);
  });

  it('transposeB reads b as [N, K]', () => {
    const rng = new Rng(31);
    const a = rand(rng, [3, 4]);
    const bt = rand(rng, [5, 4]);
    const t = Tape.noGrad();
    expectClose(matmul(t, a, bt, { transposeB: true }).data, matmul(t, a, transpose(t, bt)).data);
    check((tp) => matmul(tp, a, bt, { transposeB: true }), [a, bt]);
  });

  it('[B, M, K] x [K, N] shares b over the batch', () => {
    const rng = new Rng(32);
    const a = rand(rng, [2, 3, 4]);
    const b = rand(rng, [4, 2]);
    const c = matmul(Tape.noGrad(), a, b);
    expect(c.shape).toEqual([2, 3, 2]);
    expectClose(c.data, naiveMatmul(a.data, b.data, 6, 4, 2));
    check((t) => matmul(t, a, b), [a, b]);
    check((t) => matmul(t, a, transpose(t, b), { transposeB: true }), [a, b]);
  });

  it('batched [B, M, K] x [B, K, N], plain and transposed', () => {
    const rng = new Rng(33);
    const a = rand(rng, [3, 2, 4]);
    const b = rand(rng, [3, 4, 5]);
    const c = matmul(Tape.noGrad(), a, b);
    expect(c.shape).toEqual([3, 2, 5]);
    for (let i = 0; i < 3; i++) {
      expectClose(
        c.data.subarray(i * 10, i * 10 + 10),
        naiveMatmul(a.data.subarray(i * 8), b.data.subarray(i * 20), 2, 4, 5),
      );
    }
    check((t) => matmul(t, a, b), [a, b]);
    const bt = rand(rng, [3, 5, 4]);
    check((t) => matmul(t, a, bt, { transposeB: true }), [a, bt]);
  });
});

describe('linear (fused x·Wᵀ + b)', () => {
  it('equals the composition matmul + broadcast add, values and gradients', () => {
    const rng = new Rng(40);
    const x = rand(rng, [2, 3, 4]);
    const w = rand(rng, [5, 4]);
    const b = rand(rng, [5]);
    const tf = new Tape();
    const fused = linear(tf, x, w, b);
    const seed = rand(rng, [2, 3, 5]).data;
    tf.backward(fused, seed);
    const fusedGrads = [x, w, b].map((t) => Float32Array.from(t.grad!));
    for (const t of [x, w, b]) t.grad = null;
    const tc = new Tape();
    const composed = add(tc, matmul(tc, x, w, { transposeB: true }), b);
    tc.backward(composed, seed);
    expectClose(fused.data, composed.data);
    for (const [i, t] of [x, w, b].entries()) expectClose(fusedGrads[i]!, t.grad!);
    check((t) => linear(t, x, w, b), [x, w, b]);
    check((t) => linear(t, x, w, null), [x, w]);
  });
});

describe('softmax and logSoftmax', () => {
  it('gradcheck over the last axis of a 3-D tensor', () => {
    const rng = new Rng(50);
    const a = rand(rng, [2, 3, 4], -2, 2);
    check((t) => [softmax(t, a), logSoftmax(t, a)], [a]);
  });

  it('rows sum to 1, logSoftmax is log of softmax, and large logits do not overflow', () => {
    const t = Tape.noGrad();
    const a = Tensor.from([1000, 1001, 1002, -5, 0, 5], [2, 3]);
    const p = softmax(t, a);
    const lp = logSoftmax(t, a);
    expect(p.data[0]! + p.data[1]! + p.data[2]!).toBeCloseTo(1, 6);
    expectClose(lp.data, p.toArray().map(Math.log));
    const z = Math.exp(-2) + Math.exp(-1) + 1;
    expectClose(p.data.subarray(0, 3), [Math.exp(-2) / z, Math.exp(-1) / z, 1 / z]);
  });

  it('−Infinity entries (masked) get probability 0 and gradcheck on the rest', () => {
    const rng = new Rng(51);
    const a = rand(rng, [3, 5]);
    const m = Uint8Array.from([0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    const p = softmax(Tape.noGrad(), maskedFill(Tape.noGrad(), a, m, Number.NEGATIVE_INFINITY));
    for (let i = 0; i < m.length; i++) if (m[i]) expect(p.data[i]).toBe(0);
    check((t) => softmax(t, maskedFill(t, a, m, Number.NEGATIVE_INFINITY)), [a]);
  });
});

describe('reductions', () => {
  it('sum and mean over all elements and along each axis', () => {
    const rng = new Rng(60);
    const a = rand(rng, [2, 3, 4]);
    check((t) => [sum(t, a), mean(t, a)], [a]);
    for (const axis of [0, 1, 2, -1]) {
      check((t) => [sum(t, a, { axis }), mean(t, a, { axis })], [a]);
    }
    const t = Tape.noGrad();
    const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(sum(t, x).shape).toEqual([]);
    expect(sum(t, x).toArray()).toEqual([21]);
    expect(mean(t, x).toArray()).toEqual([3.5]);
    expect(sum(t, x, { axis: 0 }).toArray()).toEqual([5, 7, 9]);
    expect(mean(t, x, { axis: 1 }).toArray()).toEqual([2, 5]);
  });
});

describe('shape ops', () => {
  it('reshape (with an inferred −1) shares data and gradchecks', () => {
    const rng = new Rng(70);
    const a = rand(rng, [2, 6]);
    const r = reshape(Tape.noGrad(), a, [3, -1]);
    expect(r.shape).toEqual([3, 4]);
    expect(r.data).toBe(a.data);
    check((t) => mul(t, reshape(t, a, [4, 3]), reshape(t, a, [-1, 3])), [a]);
  });

  it('transpose swaps the last two axes (2-D and batched)', () => {
    const rng = new Rng(71);
    const a = rand(rng, [3, 4]);
    const at = transpose(Tape.noGrad(), a);
    expect(at.shape).toEqual([4, 3]);
    expect(at.get(2, 1)).toBe(a.get(1, 2));
    check((t) => transpose(t, a), [a]);
    const b = rand(rng, [2, 3, 4]);
    expect(transpose(Tape.noGrad(), b).get(1, 3, 2)).toBe(b.get(1, 2, 3));
    check((t) => transpose(t, b), [b]);
  });

  it('concat and slice along an axis are inverse and gradcheck', () => {
    const rng = new Rng(72);
    const a = rand(rng, [2, 3, 2]);
    const b = rand(rng, [2, 1, 2]);
    const t = Tape.noGrad();
    const c = concat(t, [a, b], 1);
    expect(c.shape).toEqual([2, 4, 2]);
    expect(slice(t, c, 1, 0, 3).toArray()).toEqual(a.toArray());
    expect(slice(t, c, 1, 3, 4).toArray()).toEqual(b.toArray());
    expect(concat(t, [a, a], 0).shape).toEqual([4, 3, 2]);
    expect(concat(t, [a, a], -1).shape).toEqual([2, 3, 4]);
    for (const axis of [0, 1, 2]) {
      check((tp) => concat(tp, [a, a, a], axis), [a]);
      check((tp) => slice(tp, a, axis, 1, 2), [a]);
    }
    check((tp) => concat(tp, [a, b], 1), [a, b]);
  });
});

describe('gatherRows', () => {
  it('picks rows, accumulates repeated ids, and skips the padding row', () => {
    const rng = new Rng(80);
    const table = rand(rng, [5, 3]);
    const ids = Int32Array.from([4, 1, 1, 0, 2, 4]);
    const y = gatherRows(Tape.noGrad(), table, ids, { shape: [2, 3] });
    expect(y.shape).toEqual([2, 3, 3]);
    expect(Array.from(y.data.subarray(3, 6))).toEqual(Array.from(table.data.subarray(3, 6)));
    check((t) => gatherRows(t, table, ids), [table]);

    const tape = new Tape();
    const z = gatherRows(tape, table, ids, { paddingIdx: 1 });
    table.grad = null;
    tape.backward(z);
    expect(Array.from(table.grad!.subarray(3, 6))).toEqual([0, 0, 0]); // row 1: padding
    expect(Array.from(table.grad!.subarray(12, 15))).toEqual([2, 2, 2]); // row 4: used twice
    expect(Array.from(table.grad!.subarray(9, 12))).toEqual([0, 0, 0]); // row 3: unused
  });
});

describe('maskedFill', () => {
  it('fills masked positions and passes no gradient there', () => {
    const rng = new Rng(90);
    const a = rand(rng, [2, 3]);
    const m = [0, 1, 0, 1, 0, 0];
    const tape = new Tape();
    const y = maskedFill(tape, a, m, -7);
    expect(y.data[1]).toBe(-7);
    expect(y.data[0]).toBe(a.data[0]);
    tape.backward(y);
    expect(Array.from(a.grad!)).toEqual([1, 0, 1, 0, 1, 1]);
    check((t) => maskedFill(t, a, m, 3), [a]);
  });
});

describe('crossEntropy (fused)', () => {
  /** The same loss composed from primitives: −Σ_i Σ_c q_ic log p_ic / count. */
  function composed(tape: Tape, logits: Tensor, targets: number[], ignore: number, eps: number): Tensor {
    const [n, c] = logits.shape as [number, number];
    const q = Tensor.zeros([n, c]);
    let count = 0;
    targets.forEach((t, i) => {
      if (t === ignore) return;
      count++;
      for (let j = 0; j < c; j++) q.data[i * c + j] = eps / c + (j === t ? 1 - eps : 0);
    });
    return scale(tape, sum(tape, mul(tape, logSoftmax(tape, logits), q)), -1 / count);
  }

  const cases: [string, number, number][] = [
    ['plain', -100, 0],
    ['ignore_index', 0, 0],
    ['label smoothing + ignore_index', 2, 0.1],
  ];
  for (const [name, ignore, eps] of cases) {
    it(`matches the composed loss and gradchecks: ${name}`, () => {
      const rng = new Rng(100);
      const logits = rand(rng, [6, 5], -3, 3);
      const targets = [0, 1, 2, 3, 4, 2];
      const opts = { ignoreIndex: ignore, labelSmoothing: eps };
      const tf = new Tape();
      const lf = crossEntropy(tf, logits, Int32Array.from(targets), opts);
      tf.backward(lf);
      const gf = Float32Array.from(logits.grad!);
      logits.grad = null;
      const tc = new Tape();
      const lc = composed(tc, logits, targets, ignore, eps);
      tc.backward(lc);
      expect(lf.shape).toEqual([]);
      expectClose(lf.data, lc.data);
      expectClose(gf, logits.grad!);
      check((t) => crossEntropy(t, logits, targets, opts), [logits]);
      check(
        (t) => crossEntropy(t, reshape(t, logits, [2, 3, 5]), targets, { ...opts, reduction: 'sum' }),
        [logits],
      );
    });
  }

  it('sum reduction is count times the mean; all-ignored gives 0 with zero gradient', () => {
    const rng = new Rng(101);
    const logits = rand(rng, [4, 3]);
    const t = Tape.noGrad();
    const targets = [1, -100, 2, 0];
    const m = crossEntropy(t, logits, targets).data[0]!;
    const s = crossEntropy(t, logits, targets, { reduction: 'sum' }).data[0]!;
    expect(s).toBeCloseTo(3 * m, 5);
    const tape = new Tape();
    const l = crossEntropy(tape, logits, [-100, -100, -100, -100]);
    tape.backward(l);
    expect(l.data[0]).toBe(0);
    expect(logits.grad!.every((v) => v === 0)).toBe(true);
  });
});

describe('mse', () => {
  it('equals mean((p − t)²) composed, and gradchecks both arguments', () => {
    const rng = new Rng(110);
    const p = rand(rng, [3, 4]);
    const y = rand(rng, [3, 4]);
    const t = Tape.noGrad();
    const d = sub(t, p, y);
    expectClose(mse(t, p, y).data, mean(t, mul(t, d, d)).data);
    expectClose(mse(t, p, y, { reduction: 'sum' }).data, sum(t, mul(t, d, d)).data);
    check((tp) => mse(tp, p, y), [p, y]);
  });
});

describe('dropout', () => {
  it('gradchecks with a fixed mask (reseeded Rng)', () => {
    const rng = new Rng(120);
    const x = rand(rng, [4, 5]);
    check((t) => dropout(t, x, { p: 0.3, rng: new Rng(7) }), [x]);
  });
});

describe('attention (composed from the primitives)', () => {
  const scores: AttentionScore[] = ['additive', 'general', 'dot', 'scaled_dot'];
  for (const score of scores) {
    it(`${score}: gradchecks query, keys and parameters with a length mask`, () => {
      const rng = new Rng(130);
      const hk = score === 'general' ? 5 : 4;
      const attn = new Attention({ score, querySize: 4, keySize: hk, attnSize: 3, rng });
      const query = rand(rng, [3, 4]);
      const keys = rand(rng, [3, 4, hk]);
      const lengths = Int32Array.from([4, 2, 1]);
      const params = [...attn.parameters()].map(([, p]) => p);
      check(
        (t) => {
          const { context, weights } = attn.forward(t, query, keys, { lengths });
          return [context, weights];
        },
        [query, keys, ...params],
      );
    });
  }
});

describe('gradients accumulate (+=) when a tensor feeds several ops', () => {
  it('matmul, linear, and elementwise ops reusing the same inputs', () => {
    const rng = new Rng(140);
    const a = rand(rng, [3, 4]);
    const a2 = rand(rng, [2, 3, 4]);
    const b = rand(rng, [4, 5]);
    const w = rand(rng, [5, 4]);
    const bias = rand(rng, [5]);
    check(
      (t) => [
        matmul(t, a, b),
        matmul(t, a2, b),
        matmul(t, a, w, { transposeB: true }),
        matmul(t, a2, w, { transposeB: true }),
        linear(t, a, w, bias),
        linear(t, a2, w, bias),
        tanh(t, add(t, matmul(t, a, b), bias)),
      ],
      [a, a2, b, w, bias],
    );
  });

  it('a pre-existing gradient is added to, not overwritten', () => {
    const rng = new Rng(141);
    const a = rand(rng, [2, 3]);
    const b = rand(rng, [3, 2]);
    const tape = new Tape();
    const y = matmul(tape, a, b, { transposeB: false });
    tape.backward(y);
    const once = [Float32Array.from(a.grad!), Float32Array.from(b.grad!)];
    const tape2 = new Tape();
    tape2.backward(matmul(tape2, a, b));
    expectClose(
      a.grad!,
      Array.from(once[0]!, (v) => 2 * v),
    );
    expectClose(
      b.grad!,
      Array.from(once[1]!, (v) => 2 * v),
    );
  });
});

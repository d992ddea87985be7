/**
 * Every kernel against float64 math written out here, for every backend in `backends.ts`: GEMM in all
 * forms against a naive float64 triple loop, and the fused cell steps against the composed elementwise
 * equations, their backward against central differences of those equations (all float64 in the test).
 */
import { describe, expect, it } from 'vitest';
import { type GemmForm, Rng } from '../src/index.ts';
import { testBackends } from './backends.ts';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

function rand(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(-scale, scale);
  return a;
}

/** Naive float64 C = (acc ? C : 0) + op(A)·op(B). */
function gemm64(
  form: GemmForm,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  acc: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = acc ? c[i * n + j]! : 0;
      for (let p = 0; p < k; p++) {
        const av = form === 'tn' ? a[p * m + i]! : a[i * k + p]!;
        const bv = form === 'nt' ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv;
      }
      out[i * n + j] = s;
    }
  }
  return out;
}

/** |x − y| ≤ atol + rtol·|y| elementwise, with a message naming the first failure. */
function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  what: string,
) {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`${what}[${i}] = ${a}, expected ${e}`);
    }
  }
}

// --- the composed cell equations in float64 -------------------------------------------------------

/** LSTM step on pre-activations (b rows): returns h and c. */
function lstm64(b: number, h: number, pre: ArrayLike<number>, cPrev: ArrayLike<number>) {
  const hs = new Float64Array(b * h);
  const cs = new Float64Array(b * h);
  const act = new Float64Array(b * 4 * h);
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < h; j++) {
      const g = r * 4 * h;
      const i = sig(pre[g + j]!);
      const f = sig(pre[g + h + j]!);
      const gg = Math.tanh(pre[g + 2 * h + j]!);
      const o = sig(pre[g + 3 * h + j]!);
      act[g + j] = i;
      act[g + h + j] = f;
      act[g + 2 * h + j] = gg;
      act[g + 3 * h + j] = o;
      const c = f * cPrev[r * h + j]! + i * gg;
      cs[r * h + j] = c;
      hs[r * h + j] = o * Math.tanh(c);
    }
  }
  return { h: hs, c: cs, act };
}

/** GRU step: returns h' and (r, z, n, hn). */
function gru64(b: number, h: number, xg: ArrayLike<number>, hg: ArrayLike<number>, hPrev: ArrayLike<number>) {
  const out = new Float64Array(b * h);
  const saved = new Float64Array(b * 4 * h);
  for (let row = 0; row < b; row++) {
    for (let j = 0; j < h; j++) {
      const g = row * 3 * h;
      const r = sig(xg[g + j]! + hg[g + j]!);
      const z = sig(xg[g + h + j]! + hg[g + h + j]!);
      const hn = hg[g + 2 * h + j]!;
      const n = Math.tanh(xg[g + 2 * h + j]! + r * hn);
      const s = row * 4 * h;
      saved[s + j] = r;
      saved[s + h + j] = z;
      saved[s + 2 * h + j] = n;
      saved[s + 3 * h + j] = hn;
      out[row * h + j] = (1 - z) * n + z * hPrev[row * h + j]!;
    }
  }
  return { h: out, saved };
}

/** Central-difference gradient of a float64 scalar function of `x` (perturbed in a float64 copy). */
function numericGrad(x: ArrayLike<number>, loss: (v: Float64Array) => number, eps = 1e-6): Float64Array {
  const v = Float64Array.from(x);
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x0 = v[i]!;
    v[i] = x0 + eps;
    const lp = loss(v);
    v[i] = x0 - eps;
    const lm = loss(v);
    v[i] = x0;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const backends = await testBackends();

describe.each(backends.map((k) => [k.name, k] as const))('kernels: %s', (_name, k) => {
  describe('gemm', () => {
    // Sizes cross the 2×4 register blocks, the cache tiles (k = 300 → 216-row tiles) and the small-m path.
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 5],
      [3, 1, 4],
      [4, 9, 3],
      [5, 6, 7],
      [17, 13, 11],
      [33, 20, 64],
      [230, 9, 300],
      [6, 230, 300],
      [3, 5, 0],
    ];
    for (const form of ['nn', 'nt', 'tn'] as const) {
      for (const [m, n, kk] of shapes) {
        for (const acc of [false, true]) {
          it(`${form} m=${m} n=${n} k=${kk} accumulate=${acc}`, () => {
            const rng = new Rng(m * 1000 + n * 10 + kk);
            const a = rand(rng, m * kk);
            const b = rand(rng, n * kk);
            const c = rand(rng, m * n);
            const expected = gemm64(form, m, n, kk, a, b, c, acc);
            k.gemm(form, m, n, kk, a, b, c, acc);
            // float32 inputs, float64 reference: only the output rounding and summation order differ.
            expectClose(c, expected, 1e-5 * Math.sqrt(kk + 1), 1e-5, `${form} C`);
          });
        }
      }
    }

    it('reads and writes only the leading elements of subarray views', () => {
      const rng = new Rng(7);
      const [m, n, kk] = [6, 5, 4];
      const a = rand(rng, 3 + m * kk);
      const b = rand(rng, 2 + n * kk);
      const c = rand(rng, 1 + m * n + 4);
      const before = Float32Array.from(c);
      const av = a.subarray(3);
      const bv = b.subarray(2);
      const cv = c.subarray(1);
      const expected = gemm64('nt', m, n, kk, av, bv, cv, false);
      k.gemm('nt', m, n, kk, av, bv, cv, false);
      expectClose(cv.subarray(0, m * n), expected, 1e-5, 1e-5, 'C view');
      expect(c[0]).toBe(before[0]);
      expect(Array.from(c.subarray(1 + m * n))).toEqual(Array.from(before.subarray(1 + m * n)));
    });

    it('with k = 0 sets C to 0, or leaves it with accumulate', () => {
      const c = Float32Array.from([1, 2, 3, 4]);
      k.gemm('nn', 2, 2, 0, new Float32Array(0), new Float32Array(0), c, true);
      expect(Array.from(c)).toEqual([1, 2, 3, 4]);
      k.gemm('tn', 2, 2, 0, new Float32Array(0), new Float32Array(0), c, false);
      expect(Array.from(c)).toEqual([0, 0, 0, 0]);
    });
  });

  it('addBias broadcasts over rows and sumRows accumulates columns', () => {
    const rng = new Rng(3);
    const [rows, cols] = [5, 7];
    const y = rand(rng, rows * cols);
    const bias = rand(rng, cols);
    const expected = Array.from(y, (v, i) => v + bias[i % cols]!);
    k.addBias(rows, cols, y, bias);
    expectClose(y, expected, 1e-6, 1e-6, 'addBias');
    const out = rand(rng, cols);
    const sums = Array.from(out, (v, j) => {
      let s = v;
      for (let r = 0; r < rows; r++) s += y[r * cols + j]!;
      return s;
    });
    k.sumRows(rows, cols, y, out);
    expectClose(out, sums, 1e-6, 1e-6, 'sumRows');
  });

  it('tanh and sigmoid are exact, saturate without NaN and may work in place', () => {
    const x = Float32Array.from([-1000, -20, -1, -1e-4, 0, 1e-4, 0.5, 3, 20, 1000]);
    const t = new Float32Array(x.length);
    k.tanh(x.length, x, t);
    expectClose(t, Array.from(x, Math.tanh), 1e-7, 1e-6, 'tanh');
    const s = Float32Array.from(x);
    k.sigmoid(s.length, s, s);
    expectClose(s, Array.from(x, sig), 1e-7, 1e-6, 'sigmoid in place');
    expect(s[0]).toBe(0);
    expect(s[s.length - 1]).toBe(1);
  });

  describe('LSTM cell', () => {
    const b = 3;
    const h = 5;
    const rng = new Rng(11);
    const pre = rand(rng, b * 4 * h, 2);
    const cPrev = rand(rng, b * h, 1.5);
    const dh = rand(rng, b * h);
    const dcNext = rand(rng, b * h);

    it('forward equals the composed gate equations', () => {
      const ref = lstm64(b, h, pre, cPrev);
      const gates = Float32Array.from(pre);
      const c = new Float32Array(b * h);
      const tc = new Float32Array(b * h);
      const hOut = new Float32Array(b * h);
      k.lstmForward(b, h, gates, cPrev, c, tc, hOut);
      expectClose(gates, ref.act, 1e-6, 1e-6, 'activated gates');
      expectClose(c, ref.c, 1e-6, 1e-6, 'c');
      expectClose(tc, Array.from(ref.c, Math.tanh), 1e-6, 1e-6, 'tanh(c)');
      expectClose(hOut, ref.h, 1e-6, 1e-6, 'h');
    });

    it('backward equals central differences of L = Σ dh·h + Σ dc·c', () => {
      const loss = (p: ArrayLike<number>, cp: ArrayLike<number>): number => {
        const r = lstm64(b, h, p, cp);
        return dot(dh, r.h) + dot(dcNext, r.c);
      };
      const gates = Float32Array.from(pre);
      const c = new Float32Array(b * h);
      const tc = new Float32Array(b * h);
      k.lstmForward(b, h, gates, cPrev, c, tc, new Float32Array(b * h));
      const dc = Float32Array.from(dcNext);
      const dGates = new Float32Array(b * 4 * h);
      k.lstmBackward(b, h, gates, cPrev, tc, dh, dc, dGates);
      expectClose(
        dGates,
        numericGrad(pre, (p) => loss(p, cPrev)),
        1e-5,
        1e-4,
        'dGates',
      );
      expectClose(
        dc,
        numericGrad(cPrev, (cp) => loss(pre, cp)),
        1e-5,
        1e-4,
        'dcPrev',
      );
    });
  });

  describe('GRU cell', () => {
    const b = 3;
    const h = 4;
    const rng = new Rng(12);
    const xg = rand(rng, b * 3 * h, 2);
    const hg = rand(rng, b * 3 * h, 2);
    const hPrev = rand(rng, b * h);
    const dh = rand(rng, b * h);

    it('forward equals the composed equations (reset after the matmul)', () => {
      const ref = gru64(b, h, xg, hg, hPrev);
      const out = new Float32Array(b * h);
      const saved = new Float32Array(b * 4 * h);
      k.gruForward(b, h, xg, hg, hPrev, out, saved);
      expectClose(out, ref.h, 1e-6, 1e-6, 'h');
      expectClose(saved, ref.saved, 1e-6, 1e-6, 'saved (r, z, n, hn)');
    });

    it('backward equals central differences of L = Σ dh·h′ in xg, hg and (directly) hPrev', () => {
      const out = new Float32Array(b * h);
      const saved = new Float32Array(b * 4 * h);
      k.gruForward(b, h, xg, hg, hPrev, out, saved);
      const dxg = new Float32Array(b * 3 * h);
      const dhg = new Float32Array(b * 3 * h);
      const dhPrev = new Float32Array(b * h);
      k.gruBackward(b, h, saved, hPrev, dh, dxg, dhg, dhPrev);
      expectClose(
        dxg,
        numericGrad(xg, (v) => dot(dh, gru64(b, h, v, hg, hPrev).h)),
        1e-5,
        1e-4,
        'dxg',
      );
      expectClose(
        dhg,
        numericGrad(hg, (v) => dot(dh, gru64(b, h, xg, v, hPrev).h)),
        1e-5,
        1e-4,
        'dhg',
      );
      // Holding hg fixed isolates the direct path z⊙dh; the caller adds dhg·W_hh.
      expectClose(
        dhPrev,
        numericGrad(hPrev, (v) => dot(dh, gru64(b, h, xg, hg, v).h)),
        1e-5,
        1e-4,
        'dhPrev',
      );
    });
  });
});

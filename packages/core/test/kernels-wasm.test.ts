/**
 * The wasm kernels against the reference: every method on random inputs of many shapes (tails that are
 * not multiples of 4 or 8, tiny and large, subarray offsets, accumulate on and off), with arguments in
 * wasm memory (used in place) and in ordinary arrays (copied), for 1 thread, 2 threads, relaxed SIMD and
 * an unshared memory. Also: thread count does not change the bits, the generated module is not stale,
 * and RECURRENT_BACKEND selects the backend.
 */
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmSourceHash as sourceHashNow } from '../scripts/wasm-source.ts';
import {
  allocF32,
  type GemmForm,
  initBackend,
  kernels,
  OptionError,
  Rng,
  ShapeError,
  useKernels,
} from '../src/index.ts';
import { referenceKernels as ref } from '../src/kernels/reference.ts';
import { wasmSourceHash } from '../src/kernels/wasm/kernels-wasm.ts';
import { blockBytes, ownerOf } from '../src/kernels/wasm/wasm-heap.ts';
import { createWasmKernels, type WasmKernels } from '../src/kernels/wasm/wasm-kernels.ts';
import { relaxedSimdSupported } from '../src/kernels/wasm/wasm-module.ts';

// Node 20 keeps relaxed SIMD behind a V8 flag; turning it on here lets this file test that variant too.
setFlagsFromString('--experimental-wasm-relaxed-simd');

interface Variant {
  label: string;
  k: WasmKernels;
}

const variants: Variant[] = [];
let plain1: WasmKernels;
let plain2: WasmKernels;

beforeAll(async () => {
  plain1 = await createWasmKernels({ threads: 1, relaxedSimd: false });
  // parallelMinMacs/Values 1: split every product and cell step, so small and odd shapes exercise the split too.
  plain2 = await createWasmKernels({
    threads: 2,
    relaxedSimd: false,
    parallelMinMacs: 1,
    parallelMinValues: 1,
  });
  const relaxed = await createWasmKernels({
    threads: 2,
    relaxedSimd: true,
    parallelMinMacs: 1,
    parallelMinValues: 1,
  });
  const unshared = await createWasmKernels({ threads: 1, sharedMemory: false });
  variants.push(
    { label: 'wasm 1 thread', k: plain1 },
    { label: 'wasm 2 threads', k: plain2 },
    { label: 'wasm relaxed 2 threads', k: relaxed },
    { label: 'wasm unshared memory', k: unshared },
  );
});

afterAll(() => {
  for (const v of variants) v.k.dispose();
});

const rng = new Rng(20240611);

/** Where the test puts an argument: an ordinary array, or the backend's memory; at an offset or not. */
type Place = 'plain' | 'wasm' | 'plain+off' | 'wasm+off';
const places: Place[] = ['plain', 'wasm', 'plain+off', 'wasm+off'];

function rand(n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => rng.range(lo, hi));
}

/** Like {@link rand} from a stream of its own, so tests added later leave the shared stream's draws as they were. */
const ownRng = new Rng(77);
function own(n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => ownRng.range(lo, hi));
}

/** Value of the guard floats around every test array: a kernel must never write them. */
const GUARD = -12345.5;
const guarded = new WeakMap<Float32Array, { base: Float32Array; off: number }>();

/**
 * A Float32Array holding `values`, placed as asked (offset: a subarray starting 3 floats in), with
 * guard floats before (when offset) and after it.
 */
function put(k: WasmKernels, values: ArrayLike<number>, place: Place): Float32Array {
  const off = place.endsWith('+off') ? 3 : 0;
  const n = values.length + off + 2;
  const base = place.startsWith('wasm') && k.allocator ? k.allocator(n) : new Float32Array(n);
  base.fill(GUARD);
  const v = base.subarray(off, off + values.length);
  v.set(values);
  guarded.set(v, { base, off });
  return v;
}

/** Fails when a kernel wrote outside the array `v` (made by `put`). */
function expectGuards(what: string, v: Float32Array): void {
  const g = guarded.get(v)!;
  const outside = Array.from(g.base).filter((x, i) => (i < g.off || i >= g.off + v.length) && x !== GUARD);
  expect(outside, `${what}: writes outside the output`).toEqual([]);
}

/** |actual - expected| <= atol + rtol·scale per element (scale defaults to |expected|). */
function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  scale?: ArrayLike<number>,
): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const d = Math.abs(actual[i]! - e);
    const tol = atol + rtol * Math.abs(scale ? scale[i]! : e);
    if (!(d <= tol) && (worst < 0 || d - tol > worstExcess)) {
      worst = i;
      worstExcess = d - tol;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (${actual.length} elements)`,
    );
  }
}

const gemmShapes: [m: number, n: number, k: number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [3, 1, 9],
  [4, 8, 4],
  [5, 9, 3],
  [2, 3, 0],
  [13, 17, 19],
  [33, 65, 17],
  [64, 64, 64],
  [300, 9, 40],
  [7, 300, 260],
  [130, 70, 513],
  [32, 1024, 256],
];

describe.each(['nn', 'nt', 'tn'] as GemmForm[])('gemm %s', (form) => {
  it.each(gemmShapes)(
    'm=%i n=%i k=%i agrees with the reference on every variant and placement',
    (m, n, k) => {
      const a = rand(m * k);
      const b = rand(k * n);
      const c0 = rand(m * n);
      for (const accumulate of [false, true]) {
        const expected = Float32Array.from(c0);
        ref.gemm(form, m, n, k, Float32Array.from(a), Float32Array.from(b), expected, accumulate);
        // Scale of each element's rounding error: Σ|a||b| (+|c0| when accumulating).
        const scale = accumulate ? c0.map(Math.abs) : new Array<number>(m * n).fill(0);
        const absC = Float32Array.from(scale);
        ref.gemm(form, m, n, k, Float32Array.from(a, Math.abs), Float32Array.from(b, Math.abs), absC, true);
        for (const { label, k: kern } of variants) {
          for (const place of places) {
            const pa = put(kern, a, place);
            const pb = put(kern, b, place === 'wasm' ? 'plain+off' : place);
            const pc = put(kern, c0, place);
            kern.gemm(form, m, n, k, pa, pb, pc, accumulate);
            expectGuards(`${label}, ${place}`, pc);
            expectClose(
              `${label}, ${place}, accumulate ${accumulate}`,
              pc,
              expected,
              1e-6,
              2e-6 * Math.max(1, Math.sqrt(k)),
              absC,
            );
          }
        }
      }
    },
  );
});

describe.each([false, true])('packB (transposed source %s) + gemmPacked', (trans) => {
  it.each(gemmShapes)('m=%i n=%i k=%i agrees with the reference gemm on every variant', (m, n, k) => {
    const a = rand(m * k);
    const b = rand(k * n); // [n, k] when trans, else [k, n]
    const c0 = rand(m * n);
    const form: GemmForm = trans ? 'nt' : 'nn';
    for (const accumulate of [false, true]) {
      const expected = Float32Array.from(c0);
      ref.gemm(form, m, n, k, Float32Array.from(a), Float32Array.from(b), expected, accumulate);
      const absC = Float32Array.from(accumulate ? c0.map(Math.abs) : new Array<number>(m * n).fill(0));
      ref.gemm(form, m, n, k, Float32Array.from(a, Math.abs), Float32Array.from(b, Math.abs), absC, true);
      const refPacked = new Float32Array(ref.packedSize(k, n));
      ref.packB(trans, k, n, Float32Array.from(b), refPacked);
      const viaRef = Float32Array.from(c0);
      ref.gemmPacked(m, n, k, Float32Array.from(a), refPacked, viaRef, accumulate);
      expectClose(
        `reference, accumulate ${accumulate}`,
        viaRef,
        expected,
        1e-6,
        2e-6 * Math.max(1, Math.sqrt(k)),
        absC,
      );
      for (const { label, k: kern } of variants) {
        for (const place of ['plain', 'wasm+off'] as Place[]) {
          const packed = put(kern, new Array<number>(kern.packedSize(k, n)).fill(0), place);
          kern.packB(trans, k, n, put(kern, b, place), packed);
          expectGuards(`${label} packB, ${place}`, packed);
          const pc = put(kern, c0, place);
          kern.gemmPacked(m, n, k, put(kern, a, place), packed, pc, accumulate);
          expectGuards(`${label}, ${place}`, pc);
          expectClose(
            `${label}, ${place}, accumulate ${accumulate}`,
            pc,
            expected,
            1e-6,
            2e-6 * Math.max(1, Math.sqrt(k)),
            absC,
          );
          if (!trans) {
            // Same blocking and tiles as the nn product: the same bits.
            const direct = put(kern, c0, place);
            kern.gemm('nn', m, n, k, put(kern, a, place), put(kern, b, place), direct, accumulate);
            expect(Array.from(pc), `${label} packed vs nn bits`).toEqual(Array.from(direct));
          }
        }
      }
    }
  });
});

describe('gemmPacked with fewer rows than a tile', () => {
  it.each([
    [300, 100],
    [256, 1024],
    [70, 13],
    [513, 40],
  ])('k=%i n=%i: each row alone gives the bits it gets inside a 6-row product', (k, n) => {
    const a = rand(6 * k);
    const b = rand(n * k);
    const c0 = rand(6 * n);
    for (const { label, k: kern } of variants) {
      const packed = new Float32Array(kern.packedSize(k, n));
      kern.packB(true, k, n, Float32Array.from(b), packed);
      for (const accumulate of [false, true]) {
        const all = Float32Array.from(c0);
        kern.gemmPacked(6, n, k, Float32Array.from(a), packed, all, accumulate);
        for (const rows of [1, 2, 3]) {
          const part = Float32Array.from(c0.slice(0, rows * n));
          kern.gemmPacked(rows, n, k, Float32Array.from(a.slice(0, rows * k)), packed, part, accumulate);
          expect(Array.from(new Uint32Array(part.buffer)), `${label} rows=${rows} acc=${accumulate}`).toEqual(
            Array.from(new Uint32Array(all.buffer.slice(0, rows * n * 4))),
          );
        }
      }
    }
  });
});

describe('lstmStepPacked', () => {
  it.each([
    [1, 8],
    [5, 16],
    [32, 64],
    [3, 13],
    [9, 40],
  ])('b=%i h=%i is gemmPacked then lstmForward, the same bits, on every variant', (b, h) => {
    const hPrev = rand(b * h);
    const w = rand(4 * h * h);
    const g0 = rand(b * 4 * h);
    const cPrev = rand(b * h);
    const kernList: [string, typeof ref][] = [
      ['reference', ref],
      ...variants.map((v): [string, typeof ref] => [v.label, v.k]),
    ];
    for (const [label, kern] of kernList) {
      const packed = new Float32Array(kern.packedSize(h, 4 * h));
      kern.packB(true, h, 4 * h, Float32Array.from(w), packed);
      const run = (fused: boolean) => {
        const gates = Float32Array.from(g0);
        const [c, tc, ho] = [new Float32Array(b * h), new Float32Array(b * h), new Float32Array(b * h)];
        const hp = Float32Array.from(hPrev);
        const cp = Float32Array.from(cPrev);
        if (fused) kern.lstmStepPacked(b, h, hp, packed, gates, cp, c, tc, ho);
        else {
          kern.gemmPacked(b, 4 * h, h, hp, packed, gates, true);
          kern.lstmForward(b, h, gates, cp, c, tc, ho);
        }
        return [gates, c, tc, ho].map((x) => Array.from(new Uint32Array(x.buffer)));
      };
      expect(run(true), `${label} b=${b} h=${h}`).toEqual(run(false));
    }
  });
});

describe('gemm across threads', () => {
  it('gives the same bits with 1 and 2 threads', () => {
    for (const form of ['nn', 'nt', 'tn'] as GemmForm[]) {
      for (const [m, n, k] of [
        [37, 41, 300],
        [301, 13, 70],
        [32, 1024, 256],
      ] as const) {
        const a = Float32Array.from(rand(m * k));
        const b = Float32Array.from(rand(k * n));
        const c1 = new Float32Array(m * n);
        const c2 = new Float32Array(m * n);
        plain1.gemm(form, m, n, k, a, b, c1, false);
        plain2.gemm(form, m, n, k, a, b, c2, false);
        expect(new Uint32Array(c2.buffer)).toEqual(new Uint32Array(c1.buffer));
      }
    }
  });

  it('splits a fused LSTM step of 1 to 3 rows (generation) by units with the same bits as 1 thread', () => {
    const h = 256;
    const w = Float32Array.from(rand(4 * h * h));
    for (const b of [1, 2, 3, 5]) {
      const hPrev = Float32Array.from(rand(b * h));
      const g0 = Float32Array.from(rand(b * 4 * h));
      const cPrev = Float32Array.from(rand(b * h));
      const run = (kern: typeof plain1) => {
        const packed = new Float32Array(kern.packedSize(h, 4 * h));
        kern.packB(true, h, 4 * h, w, packed);
        const gates = Float32Array.from(g0);
        const [c, tc, ho] = [new Float32Array(b * h), new Float32Array(b * h), new Float32Array(b * h)];
        kern.lstmStepPacked(b, h, hPrev, packed, gates, cPrev, c, tc, ho);
        return [gates, c, tc, ho].map((x) => Array.from(new Uint32Array(x.buffer)));
      };
      expect(run(plain2), `b=${b}`).toEqual(run(plain1));
    }
  });

  it('rejects arrays shorter than the shape needs', () => {
    const small = new Float32Array(5);
    expect(() => plain2.gemm('nn', 2, 3, 4, small, new Float32Array(12), new Float32Array(6), false)).toThrow(
      ShapeError,
    );
    expect(() => plain1.lstmForward(2, 3, new Float32Array(23), small, small, small, small)).toThrow(
      ShapeError,
    );
  });
});

const cellShapes: [b: number, h: number][] = [
  [1, 1],
  [1, 3],
  [2, 5],
  [3, 8],
  [4, 13],
  [7, 33],
  [32, 256],
];

/** Pre-activations over every regime: saturated, moderate, and tiny (the tanh polynomial branch). */
function preacts(n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const r = i % 5;
    if (r === 0) return rng.range(-30, 30);
    if (r === 1) return rng.range(-1e-3, 1e-3);
    return rng.range(-4, 4);
  });
}

describe('elementwise kernels', () => {
  it.each([1, 7, 4099])('adamUpdate over n=%i agrees with the reference', (n) => {
    const [p0, g0, m0] = [own(n), own(n), own(n, -0.1, 0.1)];
    const v0 = own(n, 0, 0.01);
    const args = [1e-3 / (1 - 0.9 ** 3), Math.sqrt(1 - 0.999 ** 3), 0.9, 0.999, 1e-8, 0.01] as const;
    const [ep, em, ev] = [Float32Array.from(p0), Float32Array.from(m0), Float32Array.from(v0)];
    ref.adamUpdate(n, ep, Float32Array.from(g0), em, ev, ...args);
    for (const { label, k } of variants) {
      for (const place of places) {
        const ctx = `${label}, ${place}`;
        const [p, m, v] = [put(k, p0, place), put(k, m0, place), put(k, v0, place)];
        k.adamUpdate(n, p, put(k, g0, place), m, v, ...args);
        for (const o of [p, m, v]) expectGuards(ctx, o);
        expectClose(`${ctx} p`, p, ep, 1e-7, 1e-6);
        expectClose(`${ctx} m`, m, em, 1e-7, 1e-6);
        expectClose(`${ctx} v`, v, ev, 1e-9, 1e-6);
      }
    }
  });

  it.each([
    [1, 1],
    [3, 5],
    [17, 85],
    [64, 256],
  ])('softmaxStats and softmaxGradAdd, rows=%i c=%i', (rows, c) => {
    const xs = own(rows * c, -8, 8);
    xs[0] = 30; // one large logit: the max must be subtracted before e^x
    const g0 = own(rows * c);
    const scale = Array.from({ length: rows }, (_, r) => (r % 3 === 1 ? 0 : 0.5 + r / rows));
    const [em, ee, ex] = [new Float32Array(rows), new Float32Array(rows), new Float32Array(rows)];
    ref.softmaxStats(rows, c, Float32Array.from(xs), em, ee, ex);
    const lse = Float32Array.from(em, (m, r) => m + Math.log(ee[r]!));
    const eg = Float32Array.from(g0);
    ref.softmaxGradAdd(rows, c, Float32Array.from(xs), lse, Float32Array.from(scale), 0.01, eg);
    for (const { label, k } of variants) {
      for (const place of places) {
        const ctx = `${label}, ${place}`;
        const [m, e, x] = [
          put(k, new Float32Array(rows), place),
          put(k, new Float32Array(rows), place),
          put(k, new Float32Array(rows), place),
        ];
        k.softmaxStats(rows, c, put(k, xs, place), m, e, x);
        for (const o of [m, e, x]) expectGuards(ctx, o);
        expect(Array.from(m), ctx).toEqual(Array.from(em));
        expectClose(`${ctx} sumExp`, e, ee, 1e-6, 1e-5);
        expectClose(`${ctx} sumX`, x, ex, 1e-4, 1e-5);
        const g = put(k, g0, place);
        k.softmaxGradAdd(rows, c, put(k, xs, place), put(k, lse, place), put(k, scale, place), 0.01, g);
        expectGuards(ctx, g);
        expectClose(`${ctx} grad`, g, eg, 1e-6, 1e-5);
        // rows with scale 0 are untouched, bit for bit
        for (let r = 1; r < rows; r += 3) {
          expect(Array.from(g.subarray(r * c, (r + 1) * c)), ctx).toEqual(
            Array.from(g0.slice(r * c, (r + 1) * c), Math.fround),
          );
        }
      }
    }
  });

  it.each(cellShapes)('lstmForward and lstmBackward, b=%i h=%i', (b, h) => {
    const n = b * h;
    const gates = preacts(4 * n);
    const cPrev = rand(n, -2, 2);
    const dh = rand(n);
    const dc = rand(n);
    const eg = Float32Array.from(gates);
    const ec = new Float32Array(n);
    const et = new Float32Array(n);
    const eh = new Float32Array(n);
    ref.lstmForward(b, h, eg, Float32Array.from(cPrev), ec, et, eh);
    const edc = Float32Array.from(dc);
    const edg = new Float32Array(4 * n);
    ref.lstmBackward(b, h, eg, Float32Array.from(cPrev), et, Float32Array.from(dh), edc, edg);
    for (const { label, k } of variants) {
      for (const place of places) {
        const ctx = `${label}, ${place}`;
        const g = put(k, gates, place);
        const cp = put(k, cPrev, place);
        const c = put(k, new Float32Array(n), place);
        const t = put(k, new Float32Array(n), place);
        const ho = put(k, new Float32Array(n), place);
        k.lstmForward(b, h, g, cp, c, t, ho);
        for (const o of [g, c, t, ho]) expectGuards(ctx, o);
        expectClose(ctx, g, eg, 1e-6, 1e-5);
        expectClose(ctx, c, ec, 1e-6, 1e-5);
        expectClose(ctx, t, et, 1e-6, 1e-5);
        expectClose(ctx, ho, eh, 1e-6, 1e-5);
        // backward from the reference's saved values, so only this kernel's rounding is compared
        const dcv = put(k, dc, place);
        const dg = put(k, new Float32Array(4 * n), place);
        k.lstmBackward(b, h, put(k, eg, place), cp, put(k, et, place), put(k, dh, place), dcv, dg);
        for (const o of [dcv, dg]) expectGuards(ctx, o);
        expectClose(ctx, dg, edg, 1e-6, 1e-5);
        expectClose(ctx, dcv, edc, 1e-6, 1e-5);
      }
    }
  });

  it.each(cellShapes)('gruForward and gruBackward, b=%i h=%i', (b, h) => {
    const n = b * h;
    const xg = preacts(3 * n);
    const hg = preacts(3 * n);
    const hPrev = rand(n);
    const dh = rand(n);
    const eh = new Float32Array(n);
    const es = new Float32Array(4 * n);
    ref.gruForward(b, h, Float32Array.from(xg), Float32Array.from(hg), Float32Array.from(hPrev), eh, es);
    const edx = new Float32Array(3 * n);
    const edhg = new Float32Array(3 * n);
    const edh = new Float32Array(n);
    ref.gruBackward(b, h, es, Float32Array.from(hPrev), Float32Array.from(dh), edx, edhg, edh);
    for (const { label, k } of variants) {
      for (const place of places) {
        const ctx = `${label}, ${place}`;
        const hp = put(k, hPrev, place);
        const ho = put(k, new Float32Array(n), place);
        const saved = put(k, new Float32Array(4 * n), place);
        k.gruForward(b, h, put(k, xg, place), put(k, hg, place), hp, ho, saved);
        for (const o of [ho, saved]) expectGuards(ctx, o);
        expectClose(ctx, ho, eh, 1e-6, 1e-5);
        expectClose(ctx, saved, es, 1e-6, 1e-5);
        const dx = put(k, new Float32Array(3 * n), place);
        const dhg = put(k, new Float32Array(3 * n), place);
        // dh and dhPrev as one array, as the layers may pass them
        const dhBoth = put(k, dh, place);
        k.gruBackward(b, h, put(k, es, place), hp, dhBoth, dx, dhg, dhBoth);
        for (const o of [dx, dhg, dhBoth]) expectGuards(ctx, o);
        expectClose(ctx, dx, edx, 1e-6, 1e-5);
        expectClose(ctx, dhg, edhg, 1e-6, 1e-5);
        expectClose(ctx, dhBoth, edh, 1e-6, 1e-5);
      }
    }
  });

  it.each([1, 3, 4, 7, 64, 1001])('tanh and sigmoid over n=%i values, in place and not', (n) => {
    const x = preacts(n);
    const et = Float32Array.from(x);
    ref.tanh(n, et, et);
    const es = Float32Array.from(x);
    ref.sigmoid(n, es, es);
    for (const { label, k } of variants) {
      for (const place of places) {
        const ctx = `${label}, ${place}`;
        const y = put(k, new Float32Array(n), place);
        k.tanh(n, put(k, x, place), y);
        expectClose(ctx, y, et, 1e-6, 1e-5);
        expectGuards(ctx, y);
        const inPlace = put(k, x, place);
        k.sigmoid(n, inPlace, inPlace);
        expectClose(ctx, inPlace, es, 1e-6, 1e-5);
        expectGuards(ctx, inPlace);
      }
    }
  });

  it('tanh and sigmoid keep NaN and saturate at ±Infinity', () => {
    const x = Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0]);
    for (const { k } of variants) {
      const t = new Float32Array(5);
      const s = new Float32Array(5);
      k.tanh(5, x, t);
      k.sigmoid(5, x, s);
      expect(Array.from(t)).toEqual([Number.NaN, 1, -1, 0, 0]);
      expect(s[0]).toBeNaN();
      expect(Array.from(s.subarray(1))).toEqual([1, expect.closeTo(0, 30), 0.5, 0.5]);
    }
  });

  it.each([
    [1, 1],
    [3, 5],
    [17, 64],
    [64, 1027],
  ])('addBias and sumRows, rows=%i cols=%i', (rows, cols) => {
    const y = rand(rows * cols);
    const bias = rand(cols);
    const acc = rand(cols);
    const ey = Float32Array.from(y);
    ref.addBias(rows, cols, ey, Float32Array.from(bias));
    const es = Float32Array.from(acc);
    ref.sumRows(rows, cols, Float32Array.from(y), es);
    for (const { label, k } of variants) {
      for (const place of places) {
        const ctx = `${label}, ${place}`;
        const py = put(k, y, place);
        k.addBias(rows, cols, py, put(k, bias, place));
        expectClose(ctx, py, ey, 0, 0);
        expectGuards(ctx, py);
        const out = put(k, acc, place);
        k.sumRows(rows, cols, put(k, y, place), out);
        expectClose(ctx, out, es, 1e-6, 1e-6 * rows);
        expectGuards(ctx, out);
      }
    }
  });
});

describe('worker threads', () => {
  it('keep working after dispose, on the caller thread only', async () => {
    const k = await createWasmKernels({ threads: 2, parallelMinMacs: 1 });
    expect(k.threads).toBe(2);
    k.dispose();
    expect(k.threads).toBe(1);
    const c = new Float32Array(4);
    k.gemm('nn', 2, 2, 2, Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), c, false);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    k.dispose(); // idempotent
  });

  it('do not keep the process alive', () => {
    // A child that starts a 2-thread backend, uses it and never disposes it must still exit on its own.
    const src = `
      const { createWasmKernels } = await import(${JSON.stringify(new URL('../src/kernels/wasm/wasm-kernels.ts', import.meta.url).href)});
      const k = await createWasmKernels({ threads: 2, parallelMinMacs: 1 });
      const c = new Float32Array(1);
      k.gemm('nt', 1, 1, 1, new Float32Array([3]), new Float32Array([4]), c, false);
      console.log('result', c[0], k.threads);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', src], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('result 12 2');
    expect(r.status).toBe(0);
  });
});

describe('simd peak probe', () => {
  it('reports a finite multiply-add rate for the engine, with and without relaxed SIMD', () => {
    for (const { k } of variants) {
      const g = k.simdPeakGflops(0.01);
      expect(Number.isFinite(g)).toBe(true);
      expect(g).toBeGreaterThan(0);
    }
  });
});

describe('wasm memory', () => {
  it('places allocations in wasm memory, zero-filled, and knows them after the memory grows', () => {
    const k = plain1;
    const first = k.allocator!(10);
    expect(first.constructor).toBe(Float32Array);
    expect(k.owns(first)).toBe(true);
    expect(Array.from(first)).toEqual(new Array(10).fill(0));
    first.fill(7);
    const before = k.memoryStats().memoryBytes;
    const big = k.allocator!(24 * 2 ** 20); // 96 MiB: forces growth
    expect(k.memoryStats().memoryBytes).toBeGreaterThan(before);
    expect(first.buffer).not.toBe(big.buffer); // a new SharedArrayBuffer object after growth…
    expect(k.owns(first)).toBe(true); // …yet both are recognised
    expect(k.owns(big.subarray(5, 9))).toBe(true);
    expect(Array.from(first)).toEqual(new Array(10).fill(7)); // and the old view still works
    expect(k.owns(new Float32Array(10))).toBe(false);
    expect(plain2.owns(first)).toBe(false); // another backend's memory is not ours
  });

  it('keeps the parent of a subarray alive', () => {
    const parent = plain1.allocator!(16);
    const child = parent.subarray(4, 8);
    expect(plain1.owns(child)).toBe(true);
    expect(ownerOf(child)).toBe(parent);
    expect(ownerOf(child.subarray(1))).toBe(parent);
    expect(ownerOf(parent)).toBe(parent);
    expect(ownerOf(new Float32Array(4))).toBeUndefined();
    expect(Array.from(parent.subarray(-3, -1))).toEqual([0, 0]);
    expect(parent.subarray(-3, -1).length).toBe(2);
    expect(parent.subarray(9, 2).length).toBe(0);
    // and to everything else it is just a Float32Array with those values
    parent.set([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(child).toEqual(Float32Array.from([5, 6, 7, 8]));
  });

  it('sizes blocks in 64-byte steps, then within 1/8 of a power of two', () => {
    expect(blockBytes(1)).toBe(64);
    expect(blockBytes(65)).toBe(128);
    expect(blockBytes(4096)).toBe(4096);
    for (const bytes of [4097, 5000, 100_000, 3_000_001]) {
      const b = blockBytes(bytes);
      expect(b).toBeGreaterThanOrEqual(bytes);
      expect(b).toBeLessThanOrEqual(bytes * 1.125 + 64);
      expect(b % 64).toBe(0);
    }
  });

  it('reclaims unreachable tensors and reuses their blocks, zeroed', async () => {
    // gc() without --expose-gc: turn the flag on, then fetch the function from a fresh context.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const k = await createWasmKernels();
    const keep = k.allocator!(1000);
    for (let i = 0; i < 100; i++) k.allocator!(1000).fill(3);
    gc();
    await new Promise((r) => setTimeout(r, 20));
    const after = k.memoryStats();
    expect(after.reclaimed).toBeGreaterThanOrEqual(90); // the last may still sit in a register
    const again = k.allocator!(1000);
    expect(k.memoryStats().reused).toBe(after.reused + 1);
    expect(again.every((v) => v === 0)).toBe(true);
    expect(keep.length).toBe(1000);
    k.dispose();
  });

  it('falls back to ordinary arrays past the tensor budget', async () => {
    const k = await createWasmKernels({ tensorBudgetMiB: 1 });
    const inWasm = k.allocator!(2 ** 17); // 512 KiB
    const over = k.allocator!(2 ** 17 + 16); // would pass 1 MiB
    expect(k.owns(inWasm)).toBe(true);
    expect(k.owns(over)).toBe(false);
    expect(over.length).toBe(2 ** 17 + 16);
    expect(k.memoryStats().fallbacks).toBe(1);
    k.dispose();
  });
});

describe('generated module', () => {
  it('was built from the current AssemblyScript sources (else run `pnpm --filter @recurrent/core build:wasm`)', () => {
    expect(wasmSourceHash).toBe(sourceHashNow());
  });

  it('has a relaxed-SIMD variant that validates once the engine supports it', () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(variants[2]!.k.relaxedSimd).toBe(true);
    expect(variants[0]!.k.relaxedSimd).toBe(false);
  });
});

describe('initBackend', () => {
  const saved = process.env.RECURRENT_BACKEND;
  afterAll(async () => {
    if (saved === undefined) delete process.env.RECURRENT_BACKEND;
    else process.env.RECURRENT_BACKEND = saved;
    await initBackend({ backend: 'js' });
  });

  it.each([
    ['js', 'js', 1],
    ['wasm', 'wasm', 1],
    ['wasm-threads', 'wasm-threads', 2],
  ] as const)('RECURRENT_BACKEND=%s selects %s', async (env, name, threads) => {
    process.env.RECURRENT_BACKEND = env;
    const k = await initBackend({ threads: 2 });
    expect(k.name).toBe(name);
    expect(k.threads).toBe(threads);
    expect(kernels()).toBe(k);
    const t = allocF32(8);
    expect(t.length).toBe(8);
    // wasm backends put new tensors in their memory
    expect(k.name === 'js' ? false : (k as WasmKernels).owns(t)).toBe(name !== 'js');
  });

  it('rejects an unknown RECURRENT_BACKEND with an OptionError', async () => {
    process.env.RECURRENT_BACKEND = 'gpu';
    await expect(initBackend()).rejects.toThrow(OptionError);
    await expect(initBackend()).rejects.toThrow(
      /RECURRENT_BACKEND: expected one of auto, js, wasm, wasm-threads/,
    );
  });

  it('lets an explicit backend override the environment, and auto pick wasm-threads on several cores', async () => {
    process.env.RECURRENT_BACKEND = 'wasm';
    expect((await initBackend({ backend: 'js' })).name).toBe('js');
    delete process.env.RECURRENT_BACKEND;
    const auto = await initBackend();
    const { availableParallelism } = await import('node:os');
    expect(auto.name).toBe(availableParallelism() > 1 ? 'wasm-threads' : 'wasm');
    useKernels(ref);
  });
});

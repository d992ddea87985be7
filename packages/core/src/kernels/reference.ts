/**
 * The plain-TypeScript kernels: the definition of correct that every fast backend is tested against.
 *
 * Every sum is accumulated in float64 (JS numbers) and rounded to float32 once, when it is stored, so
 * the results are as exact as float32 outputs can be and a faster backend may differ only by its own
 * accumulation rounding.
 *
 * The GEMM has one inner kernel, `nt` (rows of A dotted with rows of B, both contiguous), blocked in
 * 2×4 register tiles inside cache tiles; `nn` and `tn` transpose their operands into scratch first
 * (an O(k·(m+n)) copy against O(m·n·k) arithmetic).
 */
import type { GemmForm, Kernels } from './types.ts';

/** Bytes of one operand's panel per cache tile (fits comfortably in L2 alongside the other). */
const TILE_BYTES = 256 * 1024;

let scratchA = new Float32Array(0);
let scratchB = new Float32Array(0);

function scratch(which: 'a' | 'b', n: number): Float32Array {
  if (which === 'a') {
    if (scratchA.length < n) scratchA = new Float32Array(n);
    return scratchA;
  }
  if (scratchB.length < n) scratchB = new Float32Array(n);
  return scratchB;
}

/** dst[c, r] = src[r, c] for a rows×cols source (blocked for cache). */
function transpose(rows: number, cols: number, src: Float32Array, dst: Float32Array): void {
  const BS = 32;
  for (let r0 = 0; r0 < rows; r0 += BS) {
    const r1 = Math.min(rows, r0 + BS);
    for (let c0 = 0; c0 < cols; c0 += BS) {
      const c1 = Math.min(cols, c0 + BS);
      for (let r = r0; r < r1; r++) {
        const s = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c]!;
      }
    }
  }
}

/** C[i, j] (=|+=) Σ_p A[i, p]·B[j, p] for i in [i0, i1), j in [j0, j1): one dot product at a time. */
function dots(
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  acc: boolean,
): void {
  for (let i = i0; i < i1; i++) {
    const ai = i * k;
    for (let j = j0; j < j1; j++) {
      const bj = j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p + 3 < k; p += 4) {
        s0 += a[ai + p]! * b[bj + p]!;
        s1 += a[ai + p + 1]! * b[bj + p + 1]!;
        s2 += a[ai + p + 2]! * b[bj + p + 2]!;
        s3 += a[ai + p + 3]! * b[bj + p + 3]!;
      }
      for (; p < k; p++) s0 += a[ai + p]! * b[bj + p]!;
      const s = s0 + s1 + s2 + s3;
      const ci = i * n + j;
      c[ci] = acc ? c[ci]! + s : s;
    }
  }
}

/** One cache tile of the `nt` product in 2×4 register blocks (6 loads feed 8 multiply-adds). */
function tileNT(
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  acc: boolean,
): void {
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    let j = j0;
    for (; j + 3 < j1; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!;
        const x1 = a[a1 + p]!;
        let y = b[b0 + p]!;
        s00 += x0 * y;
        s10 += x1 * y;
        y = b[b1 + p]!;
        s01 += x0 * y;
        s11 += x1 * y;
        y = b[b2 + p]!;
        s02 += x0 * y;
        s12 += x1 * y;
        y = b[b3 + p]!;
        s03 += x0 * y;
        s13 += x1 * y;
      }
      const c0 = i * n + j;
      const c1 = c0 + n;
      if (acc) {
        c[c0] = c[c0]! + s00;
        c[c0 + 1] = c[c0 + 1]! + s01;
        c[c0 + 2] = c[c0 + 2]! + s02;
        c[c0 + 3] = c[c0 + 3]! + s03;
        c[c1] = c[c1]! + s10;
        c[c1 + 1] = c[c1 + 1]! + s11;
        c[c1 + 2] = c[c1 + 2]! + s12;
        c[c1 + 3] = c[c1 + 3]! + s13;
      } else {
        c[c0] = s00;
        c[c0 + 1] = s01;
        c[c0 + 2] = s02;
        c[c0 + 3] = s03;
        c[c1] = s10;
        c[c1 + 1] = s11;
        c[c1 + 2] = s12;
        c[c1 + 3] = s13;
      }
    }
    if (j < j1) dots(i, i + 2, j, j1, n, k, a, b, c, acc);
  }
  if (i < i1) dots(i, i1, j0, j1, n, k, a, b, c, acc);
}

/** C[m,n] (=|+=) A[m,k] · B[n,k]ᵀ, tiled so a panel of A rows and of B rows stay in cache together. */
function gemmNT(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  acc: boolean,
): void {
  if (k === 0) {
    if (!acc) c.fill(0, 0, m * n);
    return;
  }
  if (m === 1) {
    dots(0, 1, 0, n, n, k, a, b, c, acc);
    return;
  }
  const rows = Math.max(4, Math.floor(TILE_BYTES / 4 / k) & ~3);
  for (let j0 = 0; j0 < n; j0 += rows) {
    const j1 = Math.min(n, j0 + rows);
    for (let i0 = 0; i0 < m; i0 += rows) tileNT(i0, Math.min(m, i0 + rows), j0, j1, n, k, a, b, c, acc);
  }
}

/** C[m,n] (=|+=) A[m,k] · B[k,n] for a few rows: row-times-matrix with a float64 row accumulator. */
let rowAcc = new Float64Array(0);
function gemmNNRows(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  acc: boolean,
): void {
  if (rowAcc.length < n) rowAcc = new Float64Array(n);
  const r = rowAcc;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    if (acc) for (let j = 0; j < n; j++) r[j] = c[ci + j]!;
    else r.fill(0, 0, n);
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!;
      if (x === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) r[j]! += x * b[bp + j]!;
    }
    for (let j = 0; j < n; j++) c[ci + j] = r[j]!;
  }
}

function gemm(
  form: GemmForm,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (form === 'nt') {
    gemmNT(m, n, k, a, b, c, accumulate);
  } else if (form === 'nn') {
    // Transposing B costs as much as a 1-row product, so tiny m is done row by row instead.
    if (m <= 4) {
      gemmNNRows(m, n, k, a, b, c, accumulate);
      return;
    }
    const bt = scratch('b', n * k);
    transpose(k, n, b, bt);
    gemmNT(m, n, k, a, bt, c, accumulate);
  } else {
    const at = scratch('a', m * k);
    const bt = scratch('b', n * k);
    transpose(k, m, a, at);
    transpose(k, n, b, bt);
    gemmNT(m, n, k, at, bt, c, accumulate);
  }
}

// The reference's packed form of op(B) [k, n] is op(B)ᵀ [n, k]: its fast product is the `nt` one.
function packedSize(k: number, n: number): number {
  return k * n;
}

function packB(trans: boolean, k: number, n: number, b: Float32Array, out: Float32Array): void {
  if (trans) out.set(b.subarray(0, n * k));
  else transpose(k, n, b, out);
}

function gemmPacked(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  packed: Float32Array,
  c: Float32Array,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  gemmNT(m, n, k, a, packed, c, accumulate);
}

const lstmStepPacked: Kernels['lstmStepPacked'] = (b, h, hPrev, packed, gates, cPrev, c, tanhC, hOut) => {
  gemmPacked(b, 4 * h, h, hPrev, packed, gates, true);
  lstmForward(b, h, gates, cPrev, c, tanhC, hOut);
};

const adamUpdate: Kernels['adamUpdate'] = (n, p, g, m, v, step, bc2, beta1, beta2, eps, l2) => {
  for (let i = 0; i < n; i++) {
    const gi = g[i]! + l2 * p[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - (step * mi) / (Math.sqrt(vi) / bc2 + eps);
  }
};

const softmaxStats: Kernels['softmaxStats'] = (rows, c, x, max, sumExp, sumX) => {
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    let m = Number.NEGATIVE_INFINITY;
    let sx = 0;
    for (let j = 0; j < c; j++) {
      const v = x[o + j]!;
      if (v > m) m = v;
      sx += v;
    }
    let se = 0;
    for (let j = 0; j < c; j++) se += Math.exp(x[o + j]! - m);
    max[r] = m;
    sumExp[r] = se;
    sumX[r] = sx;
  }
};

const softmaxGradAdd: Kernels['softmaxGradAdd'] = (rows, c, x, lse, scale, base, g) => {
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    const f = scale[r]!;
    if (f === 0) continue;
    const l = lse[r]!;
    for (let j = 0; j < c; j++) g[o + j]! += f * (Math.exp(x[o + j]! - l) - base);
  }
};

function addBias(rows: number, cols: number, y: Float32Array, bias: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) y[o + j] = y[o + j]! + bias[j]!;
  }
}

let colAcc = new Float64Array(0);
function sumRows(rows: number, cols: number, x: Float32Array, out: Float32Array): void {
  if (colAcc.length < cols) colAcc = new Float64Array(cols);
  const s = colAcc;
  for (let j = 0; j < cols; j++) s[j] = out[j]!;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) s[j]! += x[o + j]!;
  }
  for (let j = 0; j < cols; j++) out[j] = s[j]!;
}

function sigmoid1(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function lstmForward(
  b: number,
  h: number,
  gates: Float32Array,
  cPrev: Float32Array,
  c: Float32Array,
  tanhC: Float32Array,
  hOut: Float32Array,
): void {
  const g4 = 4 * h;
  for (let r = 0; r < b; r++) {
    const go = r * g4;
    const so = r * h;
    for (let j = 0; j < h; j++) {
      const ig = sigmoid1(gates[go + j]!);
      const fg = sigmoid1(gates[go + h + j]!);
      const gg = Math.tanh(gates[go + 2 * h + j]!);
      const og = sigmoid1(gates[go + 3 * h + j]!);
      gates[go + j] = ig;
      gates[go + h + j] = fg;
      gates[go + 2 * h + j] = gg;
      gates[go + 3 * h + j] = og;
      // The stored (rounded) gates feed c, so forward and backward see the same numbers.
      const cv = Math.fround(gates[go + h + j]! * cPrev[so + j]! + gates[go + j]! * gates[go + 2 * h + j]!);
      c[so + j] = cv;
      const tc = Math.tanh(cv);
      tanhC[so + j] = tc;
      hOut[so + j] = gates[go + 3 * h + j]! * tanhC[so + j]!;
    }
  }
}

function lstmBackward(
  b: number,
  h: number,
  gates: Float32Array,
  cPrev: Float32Array,
  tanhC: Float32Array,
  dh: Float32Array,
  dc: Float32Array,
  dGates: Float32Array,
): void {
  const g4 = 4 * h;
  for (let r = 0; r < b; r++) {
    const go = r * g4;
    const so = r * h;
    for (let j = 0; j < h; j++) {
      const ig = gates[go + j]!;
      const fg = gates[go + h + j]!;
      const gg = gates[go + 2 * h + j]!;
      const og = gates[go + 3 * h + j]!;
      const tc = tanhC[so + j]!;
      const dhv = dh[so + j]!;
      // Total gradient of c: from the next step and through h = o·tanh(c).
      const dcv = dc[so + j]! + dhv * og * (1 - tc * tc);
      dGates[go + j] = dcv * gg * ig * (1 - ig);
      dGates[go + h + j] = dcv * cPrev[so + j]! * fg * (1 - fg);
      dGates[go + 2 * h + j] = dcv * ig * (1 - gg * gg);
      dGates[go + 3 * h + j] = dhv * tc * og * (1 - og);
      dc[so + j] = dcv * fg;
    }
  }
}

function gruForward(
  b: number,
  h: number,
  xg: Float32Array,
  hg: Float32Array,
  hPrev: Float32Array,
  hOut: Float32Array,
  saved: Float32Array,
): void {
  const g3 = 3 * h;
  const g4 = 4 * h;
  for (let row = 0; row < b; row++) {
    const go = row * g3;
    const so = row * g4;
    const ho = row * h;
    for (let j = 0; j < h; j++) {
      const r = Math.fround(sigmoid1(xg[go + j]! + hg[go + j]!));
      const z = Math.fround(sigmoid1(xg[go + h + j]! + hg[go + h + j]!));
      const hn = hg[go + 2 * h + j]!;
      const nv = Math.fround(Math.tanh(xg[go + 2 * h + j]! + r * hn));
      saved[so + j] = r;
      saved[so + h + j] = z;
      saved[so + 2 * h + j] = nv;
      saved[so + 3 * h + j] = hn;
      hOut[ho + j] = (1 - z) * nv + z * hPrev[ho + j]!;
    }
  }
}

function gruBackward(
  b: number,
  h: number,
  saved: Float32Array,
  hPrev: Float32Array,
  dh: Float32Array,
  dxg: Float32Array,
  dhg: Float32Array,
  dhPrev: Float32Array,
): void {
  const g3 = 3 * h;
  const g4 = 4 * h;
  for (let row = 0; row < b; row++) {
    const go = row * g3;
    const so = row * g4;
    const ho = row * h;
    for (let j = 0; j < h; j++) {
      const r = saved[so + j]!;
      const z = saved[so + h + j]!;
      const nv = saved[so + 2 * h + j]!;
      const hn = saved[so + 3 * h + j]!;
      const d = dh[ho + j]!;
      const dN = d * (1 - z) * (1 - nv * nv); // grad of n's pre-activation
      const dZ = d * (hPrev[ho + j]! - nv) * z * (1 - z);
      const dR = dN * hn * r * (1 - r);
      dxg[go + j] = dR;
      dxg[go + h + j] = dZ;
      dxg[go + 2 * h + j] = dN;
      dhg[go + j] = dR;
      dhg[go + h + j] = dZ;
      dhg[go + 2 * h + j] = dN * r;
      dhPrev[ho + j] = d * z; // written last: dh and dhPrev may be the same array
    }
  }
}

function tanh(n: number, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
}

function sigmoid(n: number, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < n; i++) y[i] = sigmoid1(x[i]!);
}

/** The plain-TypeScript implementation of {@link Kernels} (single-threaded, float64 accumulation). */
export const referenceKernels: Kernels = Object.freeze({
  name: 'js',
  threads: 1,
  gemm,
  packedSize,
  packB,
  gemmPacked,
  addBias,
  sumRows,
  softmaxStats,
  adamUpdate,
  softmaxGradAdd,
  lstmForward,
  lstmStepPacked,
  lstmBackward,
  gruForward,
  gruBackward,
  tanh,
  sigmoid,
});

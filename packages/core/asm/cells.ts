// Fused elementwise kernels: the LSTM/GRU cell steps (forward and backward), bias broadcast, row sums,
// tanh and sigmoid. Semantics are those of packages/core/src/kernels/types.ts. Pointers are byte
// addresses in the shared memory; every row is processed four lanes at a time, then its tail one lane
// at a time through the same vector code (see `ld`/`st`).
import { ld, madd, sp, st, vexp, vsigmoid, vtanh } from './simd';

// @ts-ignore: decorator
@inline function lstmFwdAt(g: usize, h4: usize, cp: usize, c: usize, tc: usize, ho: usize, full: bool): void {
  const i = vsigmoid(ld(g, full));
  const f = vsigmoid(ld(g + h4, full));
  const gg = vtanh(ld(g + 2 * h4, full));
  const o = vsigmoid(ld(g + 3 * h4, full));
  st(g, i, full);
  st(g + h4, f, full);
  st(g + 2 * h4, gg, full);
  st(g + 3 * h4, o, full);
  const cv = madd(f, ld(cp, full), f32x4.mul(i, gg));
  const t = vtanh(cv);
  st(c, cv, full);
  st(tc, t, full);
  st(ho, f32x4.mul(o, t), full);
}

/**
 * The LSTM cell on hidden units [u0, u1) of every row only (gates row stride 4h, state row stride h): what
 * one thread of a split step computes after its own columns of the recurrent product.
 */
export function lstm_forward_units(
  b: i32, h: i32, u0: i32, u1: i32, gates: usize, cPrev: usize, c: usize, tanhC: usize, hOut: usize,
): void {
  const h4 = <usize>h << 2;
  const s = <usize>u0 << 2;
  const e = <usize>u1 << 2;
  const ev = s + (<usize>((u1 - u0) & ~3) << 2);
  for (let r = 0; r < b; r++) {
    const g = gates + <usize>r * 4 * h4;
    const o = <usize>r * h4;
    let j = s;
    for (; j < ev; j += 16) lstmFwdAt(g + j, h4, cPrev + o + j, c + o + j, tanhC + o + j, hOut + o + j, true);
    for (; j < e; j += 4) lstmFwdAt(g + j, h4, cPrev + o + j, c + o + j, tanhC + o + j, hOut + o + j, false);
  }
}

/** See `Kernels.lstmForward`. */
export function lstm_forward(b: i32, h: i32, gates: usize, cPrev: usize, c: usize, tanhC: usize, hOut: usize): void {
  const h4 = <usize>h << 2;
  const h4v = <usize>(h & ~3) << 2;
  for (let r = 0; r < b; r++) {
    const g = gates + <usize>r * 4 * h4;
    const o = <usize>r * h4;
    let j: usize = 0;
    for (; j < h4v; j += 16) lstmFwdAt(g + j, h4, cPrev + o + j, c + o + j, tanhC + o + j, hOut + o + j, true);
    for (; j < h4; j += 4) lstmFwdAt(g + j, h4, cPrev + o + j, c + o + j, tanhC + o + j, hOut + o + j, false);
  }
}

// @ts-ignore: decorator
@inline function lstmBwdAt(g: usize, h4: usize, cp: usize, tc: usize, dh: usize, dc: usize, dg: usize, full: bool): void {
  const one = sp(1.0);
  const i = ld(g, full);
  const f = ld(g + h4, full);
  const gg = ld(g + 2 * h4, full);
  const o = ld(g + 3 * h4, full);
  const t = ld(tc, full);
  const dhv = ld(dh, full);
  // dL/dc = dc (from the next step) + dh ⊙ o ⊙ (1 − tanh²c)
  const dct = madd(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(t, t)), ld(dc, full));
  const di = f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(i, f32x4.sub(one, i)));
  const df = f32x4.mul(f32x4.mul(dct, ld(cp, full)), f32x4.mul(f, f32x4.sub(one, f)));
  const dgg = f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(gg, gg)));
  const dout = f32x4.mul(f32x4.mul(dhv, t), f32x4.mul(o, f32x4.sub(one, o)));
  st(dg, di, full);
  st(dg + h4, df, full);
  st(dg + 2 * h4, dgg, full);
  st(dg + 3 * h4, dout, full);
  st(dc, f32x4.mul(dct, f), full);
}

/** See `Kernels.lstmBackward`. */
export function lstm_backward(
  b: i32, h: i32, gates: usize, cPrev: usize, tanhC: usize, dh: usize, dc: usize, dGates: usize,
): void {
  const h4 = <usize>h << 2;
  const h4v = <usize>(h & ~3) << 2;
  for (let r = 0; r < b; r++) {
    const g = <usize>r * 4 * h4;
    const o = <usize>r * h4;
    let j: usize = 0;
    for (; j < h4v; j += 16) {
      lstmBwdAt(gates + g + j, h4, cPrev + o + j, tanhC + o + j, dh + o + j, dc + o + j, dGates + g + j, true);
    }
    for (; j < h4; j += 4) {
      lstmBwdAt(gates + g + j, h4, cPrev + o + j, tanhC + o + j, dh + o + j, dc + o + j, dGates + g + j, false);
    }
  }
}

// @ts-ignore: decorator
@inline function gruFwdAt(xg: usize, hg: usize, h4: usize, hp: usize, ho: usize, sv: usize, full: bool): void {
  const r = vsigmoid(f32x4.add(ld(xg, full), ld(hg, full)));
  const z = vsigmoid(f32x4.add(ld(xg + h4, full), ld(hg + h4, full)));
  const hn = ld(hg + 2 * h4, full);
  const n = vtanh(madd(r, hn, ld(xg + 2 * h4, full)));
  // (1 − z)⊙n + z⊙hPrev, written as n + z⊙(hPrev − n)
  const out = madd(z, f32x4.sub(ld(hp, full), n), n);
  st(ho, out, full);
  st(sv, r, full);
  st(sv + h4, z, full);
  st(sv + 2 * h4, n, full);
  st(sv + 3 * h4, hn, full);
}

/** See `Kernels.gruForward`. */
export function gru_forward(b: i32, h: i32, xg: usize, hg: usize, hPrev: usize, hOut: usize, saved: usize): void {
  const h4 = <usize>h << 2;
  const h4v = <usize>(h & ~3) << 2;
  for (let r = 0; r < b; r++) {
    const g3 = <usize>r * 3 * h4;
    const g4 = <usize>r * 4 * h4;
    const o = <usize>r * h4;
    let j: usize = 0;
    for (; j < h4v; j += 16) gruFwdAt(xg + g3 + j, hg + g3 + j, h4, hPrev + o + j, hOut + o + j, saved + g4 + j, true);
    for (; j < h4; j += 4) gruFwdAt(xg + g3 + j, hg + g3 + j, h4, hPrev + o + j, hOut + o + j, saved + g4 + j, false);
  }
}

// @ts-ignore: decorator
@inline function gruBwdAt(sv: usize, h4: usize, hp: usize, dh: usize, dx: usize, dhg: usize, dhp: usize, full: bool): void {
  const one = sp(1.0);
  const r = ld(sv, full);
  const z = ld(sv + h4, full);
  const n = ld(sv + 2 * h4, full);
  const hn = ld(sv + 3 * h4, full);
  const dhv = ld(dh, full);
  const dz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld(hp, full), n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dn = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dr = f32x4.mul(f32x4.mul(dn, hn), f32x4.mul(r, f32x4.sub(one, r)));
  st(dx, dr, full);
  st(dx + h4, dz, full);
  st(dx + 2 * h4, dn, full);
  st(dhg, dr, full);
  st(dhg + h4, dz, full);
  st(dhg + 2 * h4, f32x4.mul(dn, r), full);
  st(dhp, f32x4.mul(z, dhv), full);
}

/** See `Kernels.gruBackward`. */
export function gru_backward(
  b: i32, h: i32, saved: usize, hPrev: usize, dh: usize, dxg: usize, dhg: usize, dhPrev: usize,
): void {
  const h4 = <usize>h << 2;
  const h4v = <usize>(h & ~3) << 2;
  for (let r = 0; r < b; r++) {
    const g3 = <usize>r * 3 * h4;
    const g4 = <usize>r * 4 * h4;
    const o = <usize>r * h4;
    let j: usize = 0;
    for (; j < h4v; j += 16) {
      gruBwdAt(saved + g4 + j, h4, hPrev + o + j, dh + o + j, dxg + g3 + j, dhg + g3 + j, dhPrev + o + j, true);
    }
    for (; j < h4; j += 4) {
      gruBwdAt(saved + g4 + j, h4, hPrev + o + j, dh + o + j, dxg + g3 + j, dhg + g3 + j, dhPrev + o + j, false);
    }
  }
}

/** y[r, j] += bias[j]. */
export function add_bias(rows: i32, cols: i32, y: usize, bias: usize): void {
  const w = <usize>cols << 2;
  const wv = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const row = y + <usize>r * w;
    let j: usize = 0;
    for (; j < wv; j += 16) v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(bias + j)));
    for (; j < w; j += 4) store<f32>(row + j, load<f32>(row + j) + load<f32>(bias + j));
  }
}

/** out[j] += Σ_r x[r, j], rows added in order. */
export function sum_rows(rows: i32, cols: i32, x: usize, out: usize): void {
  const w = <usize>cols << 2;
  const wv = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * w;
    let j: usize = 0;
    for (; j < wv; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(row + j)));
    for (; j < w; j += 4) store<f32>(out + j, load<f32>(out + j) + load<f32>(row + j));
  }
}

/** y = tanh(x) over n values (y may be x). */
export function tanh_f32(n: i32, x: usize, y: usize): void {
  const w = <usize>n << 2;
  const wv = <usize>(n & ~3) << 2;
  let j: usize = 0;
  for (; j < wv; j += 16) st(y + j, vtanh(ld(x + j, true)), true);
  for (; j < w; j += 4) st(y + j, vtanh(ld(x + j, false)), false);
}

/** y = σ(x) over n values (y may be x). */
export function sigmoid_f32(n: i32, x: usize, y: usize): void {
  const w = <usize>n << 2;
  const wv = <usize>(n & ~3) << 2;
  let j: usize = 0;
  for (; j < wv; j += 16) st(y + j, vsigmoid(ld(x + j, true)), true);
  for (; j < w; j += 4) st(y + j, vsigmoid(ld(x + j, false)), false);
}

/** Lane sum (l0 + l2) + (l1 + l3). */
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2)) + (f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3));
}

/** Per row r of x [rows, c]: mx[r] = max_j x[r, j], se[r] = Σ_j e^(x[r, j] − mx[r]), sx[r] = Σ_j x[r, j]. */
export function softmax_stats(rows: i32, c: i32, x: usize, mx: usize, se: usize, sx: usize): void {
  const w = <usize>c << 2;
  const wv = <usize>(c & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * w;
    let vm = f32x4.splat(-Infinity);
    let j: usize = 0;
    for (; j < wv; j += 16) vm = f32x4.max(vm, v128.load(row + j));
    let m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
    for (; j < w; j += 4) m = max(m, load<f32>(row + j));
    const ms = f32x4.splat(m);
    let vs = f32x4.splat(0);
    let vx = f32x4.splat(0);
    for (j = 0; j < wv; j += 16) {
      const v = v128.load(row + j);
      vs = f32x4.add(vs, vexp(f32x4.sub(v, ms)));
      vx = f32x4.add(vx, v);
    }
    let es = hsum(vs);
    let xs = hsum(vx);
    for (; j < w; j += 4) {
      const v = load<f32>(row + j);
      es += f32x4.extract_lane(vexp(f32x4.splat(v - m)), 0);
      xs += v;
    }
    const o = <usize>r << 2;
    store<f32>(mx + o, m);
    store<f32>(se + o, es);
    store<f32>(sx + o, xs);
  }
}

/** g[r, j] += f[r] · (e^(x[r, j] − lse[r]) − base) for every row with f[r] ≠ 0 (x, g [rows, c]). */
export function softmax_grad_add(rows: i32, c: i32, x: usize, lse: usize, f: usize, base: f32, g: usize): void {
  const w = <usize>c << 2;
  const wv = <usize>(c & ~3) << 2;
  const bs = f32x4.splat(base);
  for (let r = 0; r < rows; r++) {
    const fr = load<f32>(f + (<usize>r << 2));
    if (fr == 0) continue;
    const fs = f32x4.splat(fr);
    const ls = f32x4.splat(load<f32>(lse + (<usize>r << 2)));
    const row = x + <usize>r * w;
    const gr = g + <usize>r * w;
    let j: usize = 0;
    for (; j < wv; j += 16) {
      const p = f32x4.sub(vexp(f32x4.sub(v128.load(row + j), ls)), bs);
      v128.store(gr + j, madd(fs, p, v128.load(gr + j)));
    }
    for (; j < w; j += 4) {
      const p = f32x4.sub(vexp(f32x4.sub(ld(row + j, false), ls)), bs);
      st(gr + j, madd(fs, p, ld(gr + j, false)), false);
    }
  }
}

/**
 * One Adam step over n parameters (PyTorch's rule, without amsgrad): g' = g + l2·p; m = b1·m + c1·g';
 * v = b2·v + c2·g'²; p −= step·m / (√v / bc2 + eps), with step = lr / (1 − b1^t), bc2 = √(1 − b2^t) and
 * c1 = 1 − b1, c2 = 1 − b2 computed by the caller in float64 (as PyTorch passes them: 1 − 0.999 in float32
 * would be 1.3e-5 off).
 */
export function adam_update(
  n: i32, p: usize, g: usize, m: usize, v: usize, step: f32, bc2: f32, b1: f32, c1: f32, b2: f32, c2: f32,
  eps: f32, l2: f32,
): void {
  const w = <usize>n << 2;
  const wv = <usize>(n & ~3) << 2;
  let j: usize = 0;
  for (; j < wv; j += 16) adamAt(p + j, g + j, m + j, v + j, step, bc2, b1, c1, b2, c2, eps, l2, true);
  for (; j < w; j += 4) adamAt(p + j, g + j, m + j, v + j, step, bc2, b1, c1, b2, c2, eps, l2, false);
}

// @ts-ignore: decorator
@inline function adamAt(
  p: usize, g: usize, m: usize, v: usize, step: f32, bc2: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32,
  l2: f32, full: bool,
): void {
  const pv = ld(p, full);
  const gv = madd(sp(l2), pv, ld(g, full));
  const mv = madd(sp(b1), ld(m, full), f32x4.mul(sp(c1), gv));
  const vv = madd(sp(b2), ld(v, full), f32x4.mul(sp(c2), f32x4.mul(gv, gv)));
  st(m, mv, full);
  st(v, vv, full);
  const den = f32x4.add(f32x4.div(f32x4.sqrt(vv), sp(bc2)), sp(eps));
  st(p, f32x4.sub(pv, f32x4.div(f32x4.mul(sp(step), mv), den)), full);
}

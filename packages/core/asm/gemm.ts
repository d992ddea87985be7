// Matrix products C = (acc ? C : 0) + op(A)·op(B), float32, row-major, byte pointers.
//
// Every export computes the block C[i0:i1, j0:j1] only, so threads can split the output; the value of
// an element never depends on how the output was split (same k blocking, same summation order), so a
// product is bit-identical whether one thread or several computed it.
//
// `nn` and `tn` share one path: B is packed into panels of 8 columns (contiguous, zero-padded), A into
// groups of 6 (and 4) rows, then a 6x8 (or 4x8) register tile streams A by splatting one float per row
// and k step (A's row and k strides are parameters, which is all that differs between A[m,k] and
// A[k,m]ᵀ). Packing avoids the cache-set conflicts of walking B's rows with a power-of-two stride.
//
// `nt` is dot-product shaped: rows of A and rows of B are both contiguous in k, so a 4x2 tile keeps
// eight 4-lane partial sums and reduces them at the end; no packing, which matters for the recurrent
// step (W_hh is re-read every time step) and for batch-1 sampling.
import { lstm_forward_units } from './cells';
import { madd } from './simd';

/** k is processed in blocks of KC so a packed B panel (KC x 8 floats, 8 KiB) stays in L1. */
const KC: i32 = 256;
/** Columns packed at once: KC x NC floats = 256 KiB of scratch per thread. */
const NC: i32 = 256;
/** Rows of A packed at once (KC x MC floats = 72 KiB, stays in L2 while every B panel passes by); 12 tiles of 6. */
const MC: i32 = 72;

const PACK_B_BYTES: i32 = KC * NC * 4;
const PACK_A_BYTES: i32 = KC * MC * 4;

/** Bytes of scratch a thread must pass as `pack` to gemm_nn_tn (packed B, packed A, a spill tile). */
export function gemm_scratch_bytes(): i32 {
  return PACK_B_BYTES + PACK_A_BYTES + 6 * 8 * 4;
}

/**
 * Packs B[0:kc, 0:nc] (row stride ldb bytes) into panels of 8 columns: panel q holds kc rows of 8
 * contiguous floats, columns past nc zero.
 */
function packB(b: usize, ldb: usize, kc: i32, nc: i32, dst: usize): void {
  for (let q = 0; q < nc; q += 8) {
    let src = b + (<usize>q << 2);
    let d = dst + <usize>q * <usize>kc * 4;
    const w = min(8, nc - q);
    if (w == 8) {
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += ldb;
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < 8; c++) {
          store<f32>(d + (<usize>c << 2), c < w ? load<f32>(src + (<usize>c << 2)) : 0);
        }
        src += ldb;
        d += 32;
      }
    }
  }
}

/**
 * How many 6-row tiles cover `mc` rows, the rest going to 4-row tiles: as many 6s as leave a multiple of
 * 4 (32 = 6+6+6+6+4+4), so even row counts waste no tile row; odd ones end in one partial tile.
 */
function sixes(mc: i32): i32 {
  for (let f = 0; f < 3; f++) {
    const r = mc - 4 * f;
    if (r >= 0 && r % 6 == 0) return r / 6;
  }
  return mc % 6 == 5 ? mc / 6 + 1 : mc / 6;
}

/**
 * Packs op(A)[0:mc, 0:kc] for the tiles: first sixes(mc) groups of 6 rows, each stored as its first 4 rows
 * (kc steps of 16 bytes) then its last 2 (kc steps of 8 bytes), then groups of 4 rows; rows past mc zero.
 * op(A)(i,p) is at a + i·ars + p·aks.
 */
function packA(a: usize, ars: usize, aks: usize, mc: i32, kc: i32, dst: usize): void {
  const n6 = sixes(mc);
  let d = dst;
  let g = 0;
  for (let t = 0; t < n6; t++) {
    packA4(a + <usize>g * ars, ars, aks, min(4, mc - g), kc, d);
    packA2(a + <usize>(g + 4) * ars, ars, aks, max(0, min(2, mc - g - 4)), kc, d + (<usize>kc << 4));
    d += <usize>kc * 24;
    g += 6;
  }
  for (; g < mc; g += 4) {
    packA4(a + <usize>g * ars, ars, aks, min(4, mc - g), kc, d);
    d += <usize>kc << 4;
  }
}

/**
 * Packs `rows` (<= 4) rows of op(A) starting at `src` as kc steps of 4 floats (16 bytes), rows past
 * `rows` zero. The two layouts that occur get a vector path: `tn` (ars = 4: the 4 values are
 * contiguous) and `nn` (aks = 4: 4x4 transposes).
 */
function packA4(src: usize, ars: usize, aks: usize, rows: i32, kc: i32, dst: usize): void {
  let d = dst;
  if (rows == 4 && ars == 4) {
    let s = src;
    for (let p = 0; p < kc; p++) {
      v128.store(d, v128.load(s));
      s += aks;
      d += 16;
    }
  } else if (rows == 4 && aks == 4) {
    const r1 = src + ars;
    const r2 = src + 2 * ars;
    const r3 = src + 3 * ars;
    const kv = <usize>(kc & ~3) << 2;
    let o: usize = 0;
    for (; o < kv; o += 16) {
      const v0 = v128.load(src + o);
      const v1 = v128.load(r1 + o);
      const v2 = v128.load(r2 + o);
      const v3 = v128.load(r3 + o);
      const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
      v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
      v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
      d += 64;
    }
    const kb = <usize>kc << 2;
    for (; o < kb; o += 4) {
      let v = v128.load32_zero(src + o);
      v = v128.load32_lane(r1 + o, v, 1);
      v = v128.load32_lane(r2 + o, v, 2);
      v128.store(d, v128.load32_lane(r3 + o, v, 3));
      d += 16;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < 4; r++) {
        store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(src + <usize>r * ars + <usize>p * aks) : 0);
      }
      d += 16;
    }
  }
}

/** packA4 for the last two rows of a 6-row group: kc steps of 2 floats (8 bytes). */
function packA2(src: usize, ars: usize, aks: usize, rows: i32, kc: i32, dst: usize): void {
  let d = dst;
  if (rows == 2 && ars == 4) {
    let s = src;
    for (let p = 0; p < kc; p++) {
      v128.store64_lane(d, v128.load64_zero(s), 0);
      s += aks;
      d += 8;
    }
  } else if (rows == 2 && aks == 4) {
    const r1 = src + ars;
    const kv = <usize>(kc & ~3) << 2;
    let o: usize = 0;
    for (; o < kv; o += 16) {
      const v0 = v128.load(src + o);
      const v1 = v128.load(r1 + o);
      v128.store(d, v128.shuffle<f32>(v0, v1, 0, 4, 1, 5));
      v128.store(d, v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), 16);
      d += 32;
    }
    const kb = <usize>kc << 2;
    for (; o < kb; o += 4) {
      store<f32>(d, load<f32>(src + o));
      store<f32>(d, load<f32>(r1 + o), 4);
      d += 8;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < 2; r++) {
        store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(src + <usize>r * ars + <usize>p * aks) : 0);
      }
      d += 8;
    }
  }
}

// @ts-ignore: decorator
@inline function storeRow(c: usize, lo: v128, hi: v128, loadC: bool): void {
  if (loadC) {
    v128.store(c, f32x4.add(v128.load(c), lo));
    v128.store(c, f32x4.add(v128.load(c, 16), hi), 16);
  } else {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  }
}

/** Stores eight vectors to the 128-byte spill tile, in order. */
// @ts-ignore: decorator
@inline function spill8(p: usize, a: v128, b: v128, c: v128, d: v128, e: v128, f: v128, g: v128, h: v128): void {
  v128.store(p, a);
  v128.store(p, b, 16);
  v128.store(p, c, 32);
  v128.store(p, d, 48);
  v128.store(p, e, 64);
  v128.store(p, f, 80);
  v128.store(p, g, 96);
  v128.store(p, h, 112);
}

/**
 * One 4x8 tile of C from a packed A group `ap` (kc steps of 4 floats) and a packed B panel `bp` (kc
 * steps of 8). Only rows < `rows` and columns < `cols` are stored.
 */
function tile4x8(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32, loadC: bool, spill: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a = ap;
  let b = bp;
  const end = ap + (<usize>kc << 4);
  while (a < end) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a += 16;
    b += 32;
  }
  if (rows == 4 && cols == 8) {
    storeRow(c, c00, c01, loadC);
    storeRow(c + ldc, c10, c11, loadC);
    storeRow(c + 2 * ldc, c20, c21, loadC);
    storeRow(c + 3 * ldc, c30, c31, loadC);
    return;
  }
  spill8(spill, c00, c01, c10, c11, c20, c21, c30, c31);
  for (let r = 0; r < rows; r++) {
    const cr = c + <usize>r * ldc;
    const sr = spill + (<usize>r << 5);
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(sr + o);
      store<f32>(cr + o, loadC ? load<f32>(cr + o) + v : v);
    }
  }
}

/**
 * One 6x8 tile of C from a packed 6-row group (`ap`: kc steps of its first 4 rows, then kc steps of its
 * last 2) and a packed B panel `bp`: twelve accumulators, the most the 16 vector registers V8 allocates
 * hold with the two B vectors and a splat (measured ~15-20 % faster per FMA than 4x8, whose loop overhead
 * is a larger share). Each element is the same FMA chain as in tile4x8, so the same bits.
 */
function tile6x8(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32, loadC: bool, spill: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let a = ap;
  let a2 = ap + (<usize>kc << 4);
  let b = bp;
  const end = a2;
  while (a < end) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    x = v128.load32_splat(a2);
    c40 = madd(x, b0, c40);
    c41 = madd(x, b1, c41);
    x = v128.load32_splat(a2, 4);
    c50 = madd(x, b0, c50);
    c51 = madd(x, b1, c51);
    a += 16;
    a2 += 8;
    b += 32;
  }
  if (rows == 6 && cols == 8) {
    storeRow(c, c00, c01, loadC);
    storeRow(c + ldc, c10, c11, loadC);
    storeRow(c + 2 * ldc, c20, c21, loadC);
    storeRow(c + 3 * ldc, c30, c31, loadC);
    storeRow(c + 4 * ldc, c40, c41, loadC);
    storeRow(c + 5 * ldc, c50, c51, loadC);
    return;
  }
  spill8(spill, c00, c01, c10, c11, c20, c21, c30, c31);
  v128.store(spill, c40, 128);
  v128.store(spill, c41, 144);
  v128.store(spill, c50, 160);
  v128.store(spill, c51, 176);
  for (let r = 0; r < rows; r++) {
    const cr = c + <usize>r * ldc;
    const sr = spill + (<usize>r << 5);
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(sr + o);
      store<f32>(cr + o, loadC ? load<f32>(cr + o) + v : v);
    }
  }
}

/**
 * C[i0:i1, j0:j1] of C = (acc ? C : 0) + op(A)·B with B [k,n] (row stride ldb floats), C row stride
 * ldc floats, and op(A)(i,p) at a + i·ars + p·aks bytes: (ars, aks) = (4k, 4) for `nn`, (4, 4m) for
 * `tn`. `pack` is gemm_scratch_bytes() bytes private to the calling thread.
 */
export function gemm_nn_tn(
  a: usize, ars: usize, aks: usize, b: usize, ldb: i32, c: usize, ldc: i32, k: i32, acc: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, pack: usize,
): void {
  blocked(a, ars, aks, b, <usize>ldb << 2, 0, 0, c, ldc, k, acc, i0, i1, j0, j1, pack);
}

/**
 * C[i0:i1, j0:j1] of C = (acc ? C : 0) + op(A)·op(B) with op(B) already packed by {@link pack_b} at `bp`
 * (`npad` = its column count rounded up to 8; j0 a multiple of 8). The same blocking and tiles as
 * gemm_nn_tn, so the same bits; a weight used at every time step is packed once per sequence, not per step.
 */
export function gemm_packed(
  a: usize, ars: usize, aks: usize, bp: usize, npad: i32, c: usize, ldc: i32, k: i32, acc: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, pack: usize,
): void {
  blocked(a, ars, aks, 0, 0, bp, npad, c, ldc, k, acc, i0, i1, j0, j1, pack);
}

/** Floats {@link pack_b} writes for op(B) [k, n]. */
export function packed_size(k: i32, n: i32): i32 {
  return k * ((n + 7) & ~7);
}

/**
 * Packs op(B) [k, n] whole into the layout gemm_packed reads: per KC block of rows `pc` (at pc·npad
 * floats) panels of 8 columns (kc x 8 floats, panel j at + j·kc), columns past n zero. `trans`: B is
 * stored [n, k] (op(B) = Bᵀ, the `nt` weights of a layer), else [k, n]; row stride ldb floats.
 */
export function pack_b(b: usize, ldb: i32, trans: bool, k: i32, n: i32, dst: usize): void {
  const npad = (n + 7) & ~7;
  const ldbb = <usize>ldb << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const blk = dst + <usize>pc * <usize>npad * 4;
    if (trans) packBt(b + (<usize>pc << 2), ldbb, kc, n, blk);
    else packB(b + <usize>pc * ldbb, ldbb, kc, n, blk);
  }
}

/** packB for a transposed source: op(B)(p, j) = B[j, p] at b + j·ldb + 4p; 4x4 transposes of 8 rows. */
function packBt(b: usize, ldb: usize, kc: i32, n: i32, dst: usize): void {
  const kv = kc & ~3;
  for (let q = 0; q < n; q += 8) {
    const src = b + <usize>q * ldb;
    let d = dst + <usize>q * <usize>kc * 4;
    if (q + 8 <= n) {
      const r1 = src + ldb, r2 = src + 2 * ldb, r3 = src + 3 * ldb;
      const r4 = src + 4 * ldb, r5 = src + 5 * ldb, r6 = src + 6 * ldb, r7 = src + 7 * ldb;
      let o: usize = 0;
      for (let p = 0; p < kv; p += 4) {
        const v0 = v128.load(src + o), v1 = v128.load(r1 + o), v2 = v128.load(r2 + o), v3 = v128.load(r3 + o);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        const w0 = v128.load(r4 + o), w1 = v128.load(r5 + o), w2 = v128.load(r6 + o), w3 = v128.load(r7 + o);
        const u0 = v128.shuffle<f32>(w0, w1, 0, 4, 1, 5);
        const u1 = v128.shuffle<f32>(w0, w1, 2, 6, 3, 7);
        const u2 = v128.shuffle<f32>(w2, w3, 0, 4, 1, 5);
        const u3 = v128.shuffle<f32>(w2, w3, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(u0, u2, 0, 1, 4, 5), 16);
        v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
        v128.store(d, v128.shuffle<f32>(u0, u2, 2, 3, 6, 7), 48);
        v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
        v128.store(d, v128.shuffle<f32>(u1, u3, 0, 1, 4, 5), 80);
        v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
        v128.store(d, v128.shuffle<f32>(u1, u3, 2, 3, 6, 7), 112);
        o += 16;
        d += 128;
      }
      for (let p = kv; p < kc; p++) {
        for (let cc = 0; cc < 8; cc++) store<f32>(d + (<usize>cc << 2), load<f32>(src + <usize>cc * ldb + (<usize>p << 2)));
        d += 32;
      }
    } else {
      const w = n - q;
      for (let p = 0; p < kc; p++) {
        for (let cc = 0; cc < 8; cc++) {
          store<f32>(d + (<usize>cc << 2), cc < w ? load<f32>(src + <usize>cc * ldb + (<usize>p << 2)) : 0);
        }
        d += 32;
      }
    }
  }
}

/**
 * Row r of C[·, j0:j0+cols] (cols <= 8·panels, panels <= 3) from op(A)'s row at `a` (k stride aks bytes)
 * and `panels` consecutive packed B panels at `bq` (kc x 8 floats each): the matrix-vector shape (one
 * token per row when generating). Each element is the same FMA chain over the block as in tile4x8, so the
 * same bits; three panels give six independent chains (one panel alone would wait on the FMA latency).
 * Not four panels / eight chains: V8 (11.3) schedules all of a trip's loads before its FMAs, and eight
 * loads + eight sums + the splat exceed the fifteen xmm registers it allocates, so it spilled a sum to
 * the stack and reloaded it every trip (a store-to-load round trip in that FMA chain). With six chains
 * nothing spills: 1x1024x256 went from ~37 to ~23 µs (--print-wasm-code shows the loop).
 */
function rowPanels(a: usize, aks: usize, bq: usize, kc: i32, panels: i32, c: usize, cols: i32, loadC: bool, spill: usize): void {
  const stride = <usize>kc << 5;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  let b = bq;
  let x = a;
  const end = bq + stride;
  if (panels == 3) {
    const s2 = stride << 1;
    while (b < end) {
      const s = v128.load32_splat(x);
      c0 = madd(s, v128.load(b), c0);
      c1 = madd(s, v128.load(b, 16), c1);
      c2 = madd(s, v128.load(b + stride), c2);
      c3 = madd(s, v128.load(b + stride, 16), c3);
      c4 = madd(s, v128.load(b + s2), c4);
      c5 = madd(s, v128.load(b + s2, 16), c5);
      x += aks;
      b += 32;
    }
  } else {
    // One or two panels: the same chains, the unused ones reading panel 0 and never stored.
    const p1 = panels > 1 ? stride : 0;
    while (b < end) {
      const s = v128.load32_splat(x);
      c0 = madd(s, v128.load(b), c0);
      c1 = madd(s, v128.load(b, 16), c1);
      c2 = madd(s, v128.load(b + p1), c2);
      c3 = madd(s, v128.load(b + p1, 16), c3);
      x += aks;
      b += 32;
    }
  }
  if (cols == 24) {
    storeRow(c, c0, c1, loadC);
    storeRow(c + 32, c2, c3, loadC);
    storeRow(c + 64, c4, c5, loadC);
    return;
  }
  spill8(spill, c0, c1, c2, c3, c4, c5, c0, c0);
  for (let j = 0; j < cols; j++) {
    const o = <usize>j << 2;
    const v = load<f32>(spill + o);
    store<f32>(c + o, loadC ? load<f32>(c + o) + v : v);
  }
}

/** The blocked product behind gemm_nn_tn (B packed here per block: bp = 0) and gemm_packed (B packed at bp). */
function blocked(
  a: usize, ars: usize, aks: usize, b: usize, ldbb: usize, bp: usize, npad: i32, c: usize, ldc: i32, k: i32,
  acc: bool, i0: i32, i1: i32, j0: i32, j1: i32, pack: usize,
): void {
  const packA_ = pack + <usize>PACK_B_BYTES;
  const spill = packA_ + <usize>PACK_A_BYTES;
  const ldcb = <usize>ldc << 2;
  if (k == 0) {
    if (!acc) {
      for (let i = i0; i < i1; i++) memory.fill(c + <usize>i * ldcb + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
    }
    return;
  }
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const loadC = acc || pc > 0;
    for (let jc = j0; jc < j1; jc += NC) {
      const nc = min(NC, j1 - jc);
      // Panel q of this block: packed now into `pack`, or already in place in the whole packed B.
      let panels = pack;
      if (bp == 0) packB(b + <usize>pc * ldbb + (<usize>jc << 2), ldbb, kc, nc, pack);
      else panels = bp + (<usize>pc * <usize>npad + <usize>jc * <usize>kc) * 4;
      if (i1 - i0 < 4) {
        // Fewer rows than a tile: each row against three panels at a time, A read in place (no packing).
        for (let i = i0; i < i1; i++) {
          const ai = a + <usize>i * ars + <usize>pc * aks;
          const ci = c + <usize>i * ldcb + (<usize>jc << 2);
          for (let q = 0; q < nc; q += 24) {
            const cols = min(24, nc - q);
            rowPanels(ai, aks, panels + <usize>q * <usize>kc * 4, kc, (cols + 7) >> 3, ci + (<usize>q << 2), cols, loadC, spill);
          }
        }
        continue;
      }
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(a + <usize>ic * ars + <usize>pc * aks, ars, aks, mc, kc, packA_);
        const n6 = sixes(mc);
        for (let q = 0; q < nc; q += 8) {
          const cols = min(8, nc - q);
          const bq = panels + <usize>q * <usize>kc * 4;
          const cq = c + (<usize>(jc + q) << 2);
          let g = 0;
          for (let t = 0; t < n6; t++) {
            tile6x8(
              packA_ + <usize>g * <usize>kc * 4, bq, kc,
              cq + <usize>(ic + g) * ldcb, ldcb, min(6, mc - g), cols, loadC, spill,
            );
            g += 6;
          }
          for (; g < mc; g += 4) {
            tile4x8(
              packA_ + <usize>g * <usize>kc * 4, bq, kc,
              cq + <usize>(ic + g) * ldcb, ldcb, min(4, mc - g), cols, loadC, spill,
            );
          }
        }
      }
    }
  }
}

/** [Σa, Σb, Σc, Σd] with each sum taken as (x0 + x2) + (x1 + x3), the same in every tile shape. */
// @ts-ignore: decorator
@inline function reduce4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline function storeLanes(c: usize, stride: usize, v: v128, n: i32, loadC: bool): void {
  let x = f32x4.extract_lane(v, 0);
  store<f32>(c, loadC ? load<f32>(c) + x : x);
  if (n > 1) {
    x = f32x4.extract_lane(v, 1);
    store<f32>(c + stride, loadC ? load<f32>(c + stride) + x : x);
  }
  if (n > 2) {
    x = f32x4.extract_lane(v, 2);
    store<f32>(c + 2 * stride, loadC ? load<f32>(c + 2 * stride) + x : x);
  }
  if (n > 3) {
    x = f32x4.extract_lane(v, 3);
    store<f32>(c + 3 * stride, loadC ? load<f32>(c + 3 * stride) + x : x);
  }
}

/** Gathers element p of four rows (stride bytes apart) into one vector. */
// @ts-ignore: decorator
@inline function gather4(p: usize, stride: usize): v128 {
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + stride, v, 1);
  v = v128.load32_lane(p + 2 * stride, v, 2);
  return v128.load32_lane(p + 3 * stride, v, 3);
}

/**
 * C[i..i+4, j..j+2] = Σ_p A[i+r, p]·B[j+s, p]. A rows at `a` (stride lda bytes), B rows at `b`
 * (stride ldb bytes); rows/cols beyond the valid ones re-read the first and are not stored.
 */
function tileNt4x2(
  a: usize, lda: usize, b: usize, ldb: usize, k: i32, c: usize, ldc: usize, rows: i32, cols: i32, loadC: bool,
): void {
  const a0 = a;
  const a1 = a + (rows > 1 ? lda : 0);
  const a2 = a + (rows > 2 ? 2 * lda : 0);
  const a3 = a + (rows > 3 ? 3 * lda : 0);
  const b0 = b;
  const b1 = cols > 1 ? b + ldb : b;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // One offset for all six rows: measured faster in V8 than unrolling or bumping six pointers.
  const kv = <usize>(k & ~3) << 2;
  let o: usize = 0;
  for (; o < kv; o += 16) {
    const y0 = v128.load(b0 + o);
    const y1 = v128.load(b1 + o);
    let x = v128.load(a0 + o);
    c00 = madd(x, y0, c00);
    c01 = madd(x, y1, c01);
    x = v128.load(a1 + o);
    c10 = madd(x, y0, c10);
    c11 = madd(x, y1, c11);
    x = v128.load(a2 + o);
    c20 = madd(x, y0, c20);
    c21 = madd(x, y1, c21);
    x = v128.load(a3 + o);
    c30 = madd(x, y0, c30);
    c31 = madd(x, y1, c31);
  }
  // column s of the tile, lanes = rows
  let s0 = reduce4(c00, c10, c20, c30);
  let s1 = reduce4(c01, c11, c21, c31);
  const kb = <usize>k << 2;
  for (; o < kb; o += 4) {
    const x = v128.load32_zero(a0 + o);
    const ac = v128.load32_lane(a3 + o, v128.load32_lane(a2 + o, v128.load32_lane(a1 + o, x, 1), 2), 3);
    s0 = madd(ac, v128.load32_splat(b0 + o), s0);
    s1 = madd(ac, v128.load32_splat(b1 + o), s1);
  }
  storeLanes(c, ldc, s0, rows, loadC);
  if (cols > 1) storeLanes(c + 4, ldc, s1, rows, loadC);
}

/** C[i, j..j+4] = Σ_p A[i, p]·B[j+s, p], for rows left over below a multiple of four. */
function tileNt1x4(a: usize, b: usize, ldb: usize, k: i32, c: usize, cols: i32, loadC: bool): void {
  const b0 = b;
  const b1 = cols > 1 ? b + ldb : b;
  const b2 = cols > 2 ? b + 2 * ldb : b;
  const b3 = cols > 3 ? b + 3 * ldb : b;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const kv = <usize>(k & ~3) << 2;
  let o: usize = 0;
  for (; o < kv; o += 16) {
    const x = v128.load(a + o);
    c0 = madd(x, v128.load(b0 + o), c0);
    c1 = madd(x, v128.load(b1 + o), c1);
    c2 = madd(x, v128.load(b2 + o), c2);
    c3 = madd(x, v128.load(b3 + o), c3);
  }
  let s = reduce4(c0, c1, c2, c3);
  const kb = <usize>k << 2;
  for (; o < kb; o += 4) {
    const bc = v128.load32_lane(b3 + o, v128.load32_lane(b2 + o, v128.load32_lane(b1 + o, v128.load32_zero(b0 + o), 1), 2), 3);
    s = madd(v128.load32_splat(a + o), bc, s);
  }
  storeLanes(c, 4, s, cols, loadC);
}

/**
 * C[i, j..j+8] = Σ_p A[i, p]·B[j+s, p]: the matrix-vector shape (batch-1 generation). One accumulator per
 * column, as in tileNt1x4, so every element is summed in the same order (same bits); eight independent
 * FMA chains instead of four hide the FMA latency that bounds the 1x4 tile when it runs alone.
 */
function tileNt1x8(a: usize, b: usize, ldb: usize, k: i32, c: usize, loadC: bool): void {
  const b1 = b + ldb;
  const b2 = b + 2 * ldb;
  const b3 = b + 3 * ldb;
  const b4 = b + 4 * ldb;
  const b5 = b + 5 * ldb;
  const b6 = b + 6 * ldb;
  const b7 = b + 7 * ldb;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const kv = <usize>(k & ~3) << 2;
  let o: usize = 0;
  for (; o < kv; o += 16) {
    const x = v128.load(a + o);
    c0 = madd(x, v128.load(b + o), c0);
    c1 = madd(x, v128.load(b1 + o), c1);
    c2 = madd(x, v128.load(b2 + o), c2);
    c3 = madd(x, v128.load(b3 + o), c3);
    c4 = madd(x, v128.load(b4 + o), c4);
    c5 = madd(x, v128.load(b5 + o), c5);
    c6 = madd(x, v128.load(b6 + o), c6);
    c7 = madd(x, v128.load(b7 + o), c7);
  }
  let s = reduce4(c0, c1, c2, c3);
  let t = reduce4(c4, c5, c6, c7);
  const kb = <usize>k << 2;
  for (; o < kb; o += 4) {
    const xs = v128.load32_splat(a + o);
    const lo = v128.load32_lane(b3 + o, v128.load32_lane(b2 + o, v128.load32_lane(b1 + o, v128.load32_zero(b + o), 1), 2), 3);
    const hi = v128.load32_lane(b7 + o, v128.load32_lane(b6 + o, v128.load32_lane(b5 + o, v128.load32_zero(b4 + o), 1), 2), 3);
    s = madd(xs, lo, s);
    t = madd(xs, hi, t);
  }
  storeLanes(c, 4, s, 4, loadC);
  storeLanes(c + 16, 4, t, 4, loadC);
}

/**
 * C[i0:i1, j0:j1] of C = (acc ? C : 0) + A·Bᵀ with A [m,k], B [n,k], C row stride ldc floats.
 * Rows are swept in blocks sized so the A rows in use stay in L2 while B's rows stream once per block.
 * Splits of the row range should be multiples of 4 to keep the tiling (and so the bits) the same.
 */
export function gemm_nt(a: usize, b: usize, c: usize, ldc: i32, k: i32, acc: bool, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const kb = <usize>k << 2;
  const ldcb = <usize>ldc << 2;
  // rows per block: ~96 KiB of A
  const mb = max(4, (24576 / max(k, 1)) & ~3);
  const iv = i0 + ((i1 - i0) & ~3);
  for (let ib = i0; ib < iv; ib += mb) {
    const ie = min(ib + mb, iv);
    for (let j = j0; j < j1; j += 2) {
      const cols = min(2, j1 - j);
      const bj = b + <usize>j * kb;
      for (let i = ib; i < ie; i += 4) {
        tileNt4x2(a + <usize>i * kb, kb, bj, kb, k, c + <usize>i * ldcb + (<usize>j << 2), ldcb, 4, cols, acc);
      }
    }
  }
  for (let i = iv; i < i1; i++) {
    const ai = a + <usize>i * kb;
    const ci = c + <usize>i * ldcb;
    let j = j0;
    for (; j + 8 <= j1; j += 8) tileNt1x8(ai, b + <usize>j * kb, kb, k, ci + (<usize>j << 2), acc);
    for (; j < j1; j += 4) {
      tileNt1x4(ai, b + <usize>j * kb, kb, k, ci + (<usize>j << 2), min(4, j1 - j), acc);
    }
  }
}

/**
 * One LSTM step for hidden units [u0, u1) (multiples of 8; h a multiple of 8): the four gate column ranges
 * g·h + [u0, u1) of gates[0:m] += hPrev · W_hhᵀ (W_hhᵀ packed by pack_b, 4h columns), then the cell on those
 * units. A thread that owns a range of units owns every gate of them, so a threaded step needs one hand-off
 * instead of two and the cell is split too. The same tiles and k blocking as gemm_packed: the same bits.
 */
export function lstm_step(
  hp: usize, bp: usize, h: i32, gates: usize, m: i32, u0: i32, u1: i32,
  cPrev: usize, c: usize, tanhC: usize, hOut: usize, pack: usize,
): void {
  const g4 = 4 * h;
  for (let q = 0; q < 4; q++) {
    blocked(hp, <usize>h << 2, 4, 0, 0, bp, g4, gates, g4, h, true, 0, m, q * h + u0, q * h + u1, pack);
  }
  lstm_forward_units(m, h, u0, u1, gates, cPrev, c, tanhC, hOut);
}

// A ceiling probe, not a kernel: how many multiply-adds per second this engine and core can issue from
// WebAssembly SIMD at all, with nothing loaded from memory. The benchmark prints it beside the GEMM rates
// (a GEMM can approach it, never pass it), and a user can run it to tell a slow host from slow code.
import { madd, sp } from './simd';

/**
 * `iters` trips of twelve independent 4-lane multiply-add chains (enough to cover the latency of a fused
 * multiply-add on current cores): 96 flops per trip. Returns a lane of the sums so nothing is dead code.
 */
export function simd_peak(iters: i32, seed: f32): f32 {
  const m = sp(0.9999999);
  const a = sp(seed);
  let c0 = sp(1), c1 = sp(1), c2 = sp(1), c3 = sp(1), c4 = sp(1), c5 = sp(1);
  let c6 = sp(1), c7 = sp(1), c8 = sp(1), c9 = sp(1), c10 = sp(1), c11 = sp(1);
  for (let i = 0; i < iters; i++) {
    // Written out: twelve chains in registers, no array, no inner loop.
    c0 = madd(c0, m, a); c1 = madd(c1, m, a); c2 = madd(c2, m, a); c3 = madd(c3, m, a);
    c4 = madd(c4, m, a); c5 = madd(c5, m, a); c6 = madd(c6, m, a); c7 = madd(c7, m, a);
    c8 = madd(c8, m, a); c9 = madd(c9, m, a); c10 = madd(c10, m, a); c11 = madd(c11, m, a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}
